import { html, type SafeHtml } from './html.ts';
import { button, csrfField, errorBox, hidden, input, link, noticeBox } from './layout.ts';

export interface SessionItem {
  id: string;
  current: boolean;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastUsedAt: string;
}

export interface MfaSummary {
  required: boolean;
  enrolled: boolean;
  recoveryCodesLeft: number;
}

export interface AccountView {
  csrf: string;
  email: string;
  name: string | null;
  notice?: string | undefined;
  error?: string | undefined;
  nameError?: string | undefined;
  /** What the tenant's roles and policies let the person see and change (`self:read`, `self:update`). */
  canRead: boolean;
  canUpdate: boolean;
  /** Absent where the tenant turned second factors off. */
  mfa?: MfaSummary | undefined;
  sessions: SessionItem[];
}

/** `2025-01-31 14:05 UTC`: the same for everyone, whatever their time zone. */
const when = (iso: string) => html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/Firefox\//, 'Firefox'],
  [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** "Firefox on Linux": enough to recognise a device; the full user agent is its tooltip. */
export function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Other device';
}

const profileSection = (v: AccountView) => html`<section aria-labelledby="profile">
<h2 id="profile">Profile</h2>
<dl><dt>Email</dt><dd>${v.email}</dd>${
  !v.canUpdate && v.name ? html`<dt>Name</dt><dd>${v.name}</dd>` : ''
}</dl>
${
  v.canUpdate
    ? html`<form method="post" action="profile">
${csrfField(v.csrf)}
${input({ label: 'Name', name: 'name', value: v.name ?? '', autocomplete: 'name', required: false, error: v.nameError })}
${button('Save name', 'secondary')}
</form>`
    : ''
}
</section>`;

function mfaLine(v: AccountView, mfa: MfaSummary): SafeHtml {
  if (!mfa.enrolled)
    return html`<li>Two-step verification is <strong>off</strong>.${
      v.canUpdate ? html` ${link('mfa-setup', 'Set up an authenticator app')}` : ''
    }</li>`;
  return html`<li>Two-step verification is <strong>on</strong>, with ${mfa.recoveryCodesLeft} recovery codes left.${
    v.canUpdate
      ? html`<span class="links">${link('mfa-setup', 'Replace the authenticator app')}${link(
          'recovery-codes',
          'New recovery codes',
        )}${mfa.required ? '' : link('mfa-disable', 'Turn off')}</span>`
      : ''
  }</li>`;
}

const securitySection = (v: AccountView) => html`<section aria-labelledby="security">
<h2 id="security">Sign-in and security</h2>
<ul class="plain">
${v.canUpdate ? html`<li>${link('change-password', 'Change your password')}</li>` : ''}
${v.mfa ? mfaLine(v, v.mfa) : ''}
</ul>
</section>`;

function sessionItem(v: AccountView, s: SessionItem): SafeHtml {
  const label = `session-${s.id}`;
  return html`<li><span id="${label}"><strong title="${s.userAgent ?? ''}">${deviceOf(s.userAgent)}</strong>${
    s.ip ? ` · ${s.ip}` : ''
  }</span><br>Signed in ${when(s.createdAt)}, last active ${when(s.lastUsedAt)}${
    s.current
      ? html`<br><em>This browser</em>`
      : v.canUpdate
        ? html`<form method="post" action="end-session" class="inline">${csrfField(v.csrf)}${hidden(
            'session',
            s.id,
          )}<button type="submit" class="secondary" aria-describedby="${label}">Sign out</button></form>`
        : ''
  }</li>`;
}

const sessionsSection = (v: AccountView) => html`<section aria-labelledby="sessions">
<h2 id="sessions">Where you are signed in</h2>
<ul class="sessions">${v.sessions.map((s) => sessionItem(v, s))}</ul>
${
  v.canUpdate && v.sessions.length > 1
    ? html`<form method="post" action="end-other-sessions">${csrfField(v.csrf)}${button(
        'Sign out everywhere else',
        'secondary',
      )}</form>`
    : ''
}
</section>`;

/** Also on the pages a restricted session may see, so nobody is stuck there. */
export const signOutForm = (csrf: string, kind?: 'secondary') =>
  html`<form method="post" action="sign-out">${csrfField(csrf)}${button('Sign out', kind)}</form>`;

export const accountBody = (v: AccountView): SafeHtml => html`${noticeBox(v.notice)}${errorBox(v.error)}
${profileSection(v)}
${
  v.canRead
    ? html`${securitySection(v)}
${sessionsSection(v)}`
    : html`<p>Your administrator manages the rest of this account.</p>`
}
${signOutForm(v.csrf)}`;

export interface ChangePasswordView {
  csrf: string;
  /** The session may do nothing else until the password is changed. */
  expired: boolean;
  minLength: number;
  returnTo?: string | undefined;
  currentError?: string | undefined;
  newError?: string | undefined;
}

export const changePasswordBody = (v: ChangePasswordView) => html`${noticeBox(
  v.expired ? 'Your password has expired. Choose a new one to continue.' : undefined,
)}
<form method="post" action="change-password">
${csrfField(v.csrf)}${v.returnTo ? hidden('return_to', v.returnTo) : ''}
${input({
  label: 'Current password',
  name: 'current_password',
  type: 'password',
  autocomplete: 'current-password',
  error: v.currentError,
})}
${input({
  label: 'New password',
  name: 'new_password',
  type: 'password',
  autocomplete: 'new-password',
  hint: `At least ${v.minLength} characters. Your other sessions will be signed out.`,
  error: v.newError,
})}
${button('Change password')}
</form>
${v.expired ? signOutForm(v.csrf, 'secondary') : html`<p class="links">${link('account', 'Back to your account')}</p>`}`;
