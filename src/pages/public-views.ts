import { captchaWidget } from './captcha.ts';
import { html, type SafeHtml } from './html.ts';
import { button, csrfField, errorBox, hidden, input, link, noticeBox } from './layout.ts';

// The pages a person reaches before signing in: registration and the emailed links.

export interface RegisterView {
  csrf: string;
  email?: string;
  name?: string;
  error?: string;
}

// The honeypot is a plain text field a person never sees or reaches (off-screen, not tabbable,
// hidden from assistive technology); form-filling bots fill it.
export const registerBody = (v: RegisterView): SafeHtml => html`${errorBox(v.error)}
<form method="post" action="register">
${csrfField(v.csrf)}
${input({ label: 'Email', name: 'email', type: 'email', value: v.email ?? '', autocomplete: 'email' })}
${input({ label: 'Name', name: 'name', value: v.name ?? '', autocomplete: 'name', required: false })}
${input({ label: 'Password', name: 'password', type: 'password', autocomplete: 'new-password' })}
<div class="hp" aria-hidden="true"><label>Website <input name="website" type="text" tabindex="-1" autocomplete="off"></label></div>
${button('Create account')}
</form>
<p class="links">${link('sign-in', 'Already have an account? Sign in')}</p>`;

export const checkEmailBody = () =>
  html`${noticeBox(
    'Check your email: we sent a message to the address you entered. Follow its link to continue.',
  )}<p class="links">${link('sign-in', 'Sign in')}</p>`;

export interface ForgotView {
  csrf: string;
  email?: string;
  error?: string;
  /** The captcha is due: the form carries the widget. */
  captcha?: boolean;
}

export const forgotBody = (v: ForgotView) => html`${errorBox(v.error)}
<form method="post" action="forgot-password">
${csrfField(v.csrf)}
${input({ label: 'Email', name: 'email', type: 'email', value: v.email ?? '', autocomplete: 'email' })}
${v.captcha ? captchaWidget() : ''}
${button('Send reset link')}
</form>
<p class="links">${link('sign-in', 'Back to sign in')}</p>`;

export const forgotSentBody = () =>
  html`${noticeBox(
    'If an account uses that address, we sent it a link to choose a new password. The link expires soon.',
  )}<p class="links">${link('sign-in', 'Back to sign in')}</p>`;

export interface SetPasswordView {
  /** The page the form posts to: the emailed link's own page. */
  action: string;
  csrf: string;
  token: string;
  /** The tenant's minimum length, said before the person types. */
  minLength: number;
  error?: string;
}

/** A new password, with the emailed link's token (password reset, invitation). */
export const setPasswordBody = (v: SetPasswordView) => html`
<form method="post" action="${v.action}">
${csrfField(v.csrf)}${hidden('token', v.token)}
${input({
  label: 'New password',
  name: 'password',
  type: 'password',
  autocomplete: 'new-password',
  hint: `At least ${v.minLength} characters.`,
  error: v.error,
})}
${button('Set password')}
</form>`;

export const passwordSetBody = (message: string) =>
  html`${noticeBox(message)}<p class="links">${link('sign-in', 'Sign in')}</p>`;

/** The emailed link lands here; only the button spends the token, so link scanners do not. */
export const verifyBody = (v: { csrf: string; token: string; error?: string }) => html`${errorBox(v.error)}
<form method="post" action="verify-email">
${csrfField(v.csrf)}${hidden('token', v.token)}
${button('Confirm my email address')}
</form>`;

export const verifiedBody = () =>
  html`${noticeBox('Your email address is confirmed.')}<p class="links">${link('sign-in', 'Sign in')}</p>`;
