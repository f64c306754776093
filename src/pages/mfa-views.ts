import { signOutForm } from './account-views.ts';
import { html, type SafeHtml } from './html.ts';
import { button, csrfField, errorBox, hidden, input, link, noticeBox } from './layout.ts';

// TOTP (RFC 6238) codes are 6 digits here; the keypad suffices and the browser can check the length.
const DIGITS = html` inputmode="numeric" pattern="[0-9]{6}" maxlength="6"`;

const codeInput = (label: string, error: string | undefined) =>
  input({ label, name: 'code', autocomplete: 'one-time-code', extra: DIGITS, error });

const returnField = (returnTo: string | undefined) => (returnTo ? hidden('return_to', returnTo) : '');

export interface MfaStartView {
  csrf: string;
  /** An authenticator is on already: replacing it needs a code from it. */
  enrolled: boolean;
  /** The session may do nothing else until a second factor is set up (tenant MFA mode `required`). */
  required: boolean;
  returnTo?: string | undefined;
  codeError?: string | undefined;
}

export const mfaStartBody = (v: MfaStartView): SafeHtml => html`${noticeBox(
  v.required
    ? 'This organisation requires two-step verification. Set up an authenticator app to continue.'
    : undefined,
)}
<p>You need an authenticator app on your phone or computer: one that shows a 6-digit code that changes every 30 seconds.</p>
<form method="post" action="mfa-setup">
${csrfField(v.csrf)}${returnField(v.returnTo)}
${v.enrolled ? codeInput('Code from the authenticator app you use now', v.codeError) : ''}
${button('Show the QR code')}
</form>
${v.required ? signOutForm(v.csrf, 'secondary') : html`<p class="links">${link('account', 'Back to your account')}</p>`}`;

export interface MfaConfirmView {
  csrf: string;
  returnTo?: string | undefined;
  codeError?: string | undefined;
}

const confirmForm = (v: MfaConfirmView) => html`<form method="post" action="mfa-confirm">
${csrfField(v.csrf)}${returnField(v.returnTo)}
${codeInput('The 6-digit code the app shows now', v.codeError)}
${button('Turn on two-step verification')}
</form>`;

export interface MfaScanView extends MfaConfirmView {
  /** The key URI as a PNG data URL (img-src allows `data:`). */
  qrPng: string;
  /** Base32 (RFC 4648), for typing into the app by hand. */
  secret: string;
  /** The `otpauth://` key URI, which opens an authenticator app on this device. */
  keyUri: string;
}

/** Groups of four, as authenticator apps show keys, so typing one by hand is easier. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

export const mfaScanBody = (v: MfaScanView) => html`<ol class="steps">
<li><p>Scan this QR code with your authenticator app.</p>
<img class="qr" src="${v.qrPng}" alt="QR code of your new authenticator key" width="200" height="200"></li>
<li><p>Cannot scan it? Type this key into the app instead, or ${link(v.keyUri, 'open it in an app on this device')}.</p>
<p><code class="secret">${grouped(v.secret)}</code></p></li>
<li>${confirmForm(v)}</li>
</ol>`;

/** A wrong code: the app still holds the key it scanned, so only the code is asked again. */
export const mfaConfirmAgainBody = (v: MfaConfirmView & { startAgain: string }) =>
  html`${confirmForm(v)}<p class="links">${link(v.startAgain, 'Start again with a new QR code')}</p>`;

/** Shown once, right after they were made; the page is never cached (`Cache-Control: no-store`). */
export const recoveryCodesBody = (v: { intro: string; codes: readonly string[]; next: string }) =>
  html`${noticeBox(v.intro)}
<p>Keep these recovery codes somewhere safe, such as a password manager. Each one works once, in place of a code from the app, if you lose it. <strong>They are shown only this once.</strong></p>
<ol class="codes">${v.codes.map((code) => html`<li><code>${code}</code></li>`)}</ol>
<p class="links">${link(v.next, 'I have saved them: continue')}</p>`;

export const newCodesBody = (v: { csrf: string; codeError?: string | undefined }) =>
  html`<p>New recovery codes replace every old one.</p>
<form method="post" action="recovery-codes">
${csrfField(v.csrf)}
${codeInput('Code from your authenticator app', v.codeError)}
${button('Make new recovery codes')}
</form>
<p class="links">${link('account', 'Back to your account')}</p>`;

export interface MfaDisableView {
  csrf: string;
  error?: string | undefined;
  passwordError?: string | undefined;
  codeError?: string | undefined;
}

export const mfaDisableBody = (v: MfaDisableView) =>
  html`${errorBox(v.error)}<p>Without it, your password alone signs you in.</p>
<form method="post" action="mfa-disable">
${csrfField(v.csrf)}
${input({
  label: 'Your password',
  name: 'password',
  type: 'password',
  autocomplete: 'current-password',
  error: v.passwordError,
})}
${input({
  label: 'Code from your authenticator app, or a recovery code',
  name: 'code',
  autocomplete: 'one-time-code',
  error: v.codeError,
})}
${button('Turn off two-step verification')}
</form>
<p class="links">${link('account', 'Back to your account')}</p>`;
