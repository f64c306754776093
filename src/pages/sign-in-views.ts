import { captchaWidget } from './captcha.ts';
import { html, type SafeHtml } from './html.ts';
import { button, csrfField, errorBox, hidden, input, link, noticeBox } from './layout.ts';

export interface SignInView {
  csrf: string;
  email?: string;
  returnTo?: string;
  error?: string;
  notice?: string;
  /** The next attempt needs the captcha: the form carries the widget. */
  captcha?: boolean;
  passwordEnabled: boolean;
  registrationEnabled: boolean;
}

const returnField = (returnTo: string | undefined) => (returnTo ? hidden('return_to', returnTo) : '');

export function signInBody(v: SignInView): SafeHtml {
  if (!v.passwordEnabled) return html`${errorBox('Signing in with a password is turned off here.')}`;
  return html`${errorBox(v.error)}${noticeBox(v.notice)}
<form method="post" action="sign-in">
${csrfField(v.csrf)}${returnField(v.returnTo)}
${input({ label: 'Email', name: 'email', type: 'email', value: v.email ?? '', autocomplete: 'username' })}
${input({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' })}
${v.captcha ? captchaWidget() : ''}
${button('Sign in')}
</form>
<p class="links">${link('forgot-password', 'Forgot your password?')}${
    v.registrationEnabled ? link('register', 'Create an account') : ''
  }</p>`;
}

export interface CodeView {
  csrf: string;
  mfaToken: string;
  returnTo?: string;
  error?: string;
}

/** The second step: the authenticator code, or a recovery code in its own form (no script to switch). */
export function codeBody(v: CodeView): SafeHtml {
  const common = html`${csrfField(v.csrf)}${hidden('mfa_token', v.mfaToken)}${returnField(v.returnTo)}`;
  return html`${errorBox(v.error)}
<form method="post" action="two-factor">
${common}
${input({
  label: 'Code from your authenticator app',
  name: 'code',
  autocomplete: 'one-time-code',
  extra: html` inputmode="numeric" pattern="[0-9]{6}" maxlength="6"`,
})}
${button('Continue')}
</form>
<details>
<summary>Use a recovery code instead</summary>
<form method="post" action="two-factor">
${common}
${input({ label: 'Recovery code', name: 'recovery_code', autocomplete: 'off' })}
${button('Continue with recovery code')}
</form>
</details>`;
}
