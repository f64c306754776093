import { AppError, ValidationError } from '../http/index.ts';

// What a person reads when a form is refused. The API's problem details speak to programs (they name
// endpoints and fields); these say what to do next, and never whether an address has an account.
const MESSAGES: Partial<Record<string, string>> = {
  IAM_ERR_INVALID_CREDENTIALS: 'The email or password is incorrect.',
  IAM_ERR_PASSWORD_LOGIN_DISABLED: 'Signing in with a password is turned off here.',
  IAM_ERR_ACCOUNT_LOCKED: 'Too many failed attempts. Wait a while, then try again.',
  // Where the pages show the ALTCHA widget; captcha.ts says "wait" where they cannot.
  IAM_ERR_CAPTCHA_REQUIRED:
    'Too many failed attempts. Wait until the check below says it is done, then try again.',
  IAM_ERR_CAPTCHA_INVALID: 'The check did not pass. Wait until it says it is done, then try again.',
  IAM_ERR_MFA_CODE_INVALID: 'The code is wrong, expired or was already used.',
  IAM_ERR_MFA_TOKEN_INVALID: 'This sign-in took too long or was already used. Sign in again.',
  IAM_ERR_MFA_TOO_MANY_ATTEMPTS: 'Too many wrong codes. Wait a while, then sign in again.',
  IAM_ERR_LINK_INVALID: 'This link is not valid. Ask for a new one.',
  IAM_ERR_LINK_EXPIRED: 'This link has expired. Ask for a new one.',
  IAM_ERR_LINK_USED: 'This link was already used.',
  IAM_ERR_LINK_SUPERSEDED: 'A newer link was sent; use the latest email.',
  IAM_ERR_REGISTRATION_DISABLED: 'Registration is closed.',
  IAM_ERR_RATE_LIMITED: 'Too many requests. Wait a minute, then try again.',
  IAM_ERR_BOT_DETECTED: 'This browser was refused. If you are a person, try another browser.',
  IAM_ERR_CSRF: 'This form has expired or came from another site. Go back, reload the page and try again.',
  IAM_ERR_TENANT_NOT_FOUND: 'There is nothing here.',
  IAM_ERR_NOT_FOUND: 'There is nothing here.',
  IAM_ERR_TENANT_SUSPENDED: 'This organisation is suspended.',
  IAM_ERR_FORBIDDEN: 'Your account may not do this here. Ask your administrator.',
  IAM_ERR_WRONG_PASSWORD: 'The current password is not correct.',
  IAM_ERR_PRECONDITION_FAILED: 'Your account changed in the meantime. Reload the page and try again.',
  IAM_ERR_MFA_REQUIRED_BY_TENANT: 'This organisation requires two-step verification, so it stays on.',
  // Confirming a set-up that was finished or replaced meanwhile, or a factor removed meanwhile.
  IAM_ERR_MFA_NOT_ENROLLED: 'No authenticator app is waiting for this any more. Start again.',
};

const GENERIC = 'Something went wrong on our side. Try again in a moment.';

/** The sentence shown for a refused form or a failed page. */
export function humanMessage(error: unknown): string {
  if (error instanceof AppError) {
    const known = MESSAGES[error.code];
    if (known) return known;
    // The password policy speaks in whole sentences already ("The password is too common.").
    if (error.code === 'IAM_ERR_WEAK_PASSWORD') return error.message;
    if (error instanceof ValidationError && error.errors.length > 0) {
      const first = error.errors[0]!;
      const name = first.pointer.replace(/^\//, '').replace(/_/g, ' ') || 'A field';
      return `${name.charAt(0).toUpperCase()}${name.slice(1)} ${first.message}.`;
    }
    if (error.status < 500) return error.message;
  }
  return GENERIC;
}

/** The HTTP status of a page showing this error. */
export function statusOf(error: unknown): number {
  if (error instanceof AppError) return error.status;
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 ? status : 500;
}
