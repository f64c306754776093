import { ValidationError } from '../http/index.ts';
import { isCommonPassword } from './common-passwords.ts';

export interface PasswordPolicy {
  min_length: number;
  max_length: number;
}

/**
 * NIST SP 800-63B §5.1.1.2: length limits counted in characters (code points), no composition rules,
 * and refusal of commonly used or context-specific passwords (the account's own email).
 * Throws a 422 whose `errors[]` names the rule that failed.
 */
export function assertPasswordAllowed(
  password: string,
  email: string,
  policy: PasswordPolicy,
  pointer = '/password',
): void {
  const length = [...password.normalize('NFC')].length;
  const lower = password.toLowerCase();
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  let message: string | undefined;
  if (length < policy.min_length) message = `must be at least ${policy.min_length} characters`;
  else if (length > policy.max_length) message = `must be at most ${policy.max_length} characters`;
  else if (lower.includes(email.toLowerCase()) || (local.length >= 4 && lower.includes(local)))
    message = 'must not contain your email address';
  else if (isCommonPassword(password)) message = 'is too common';
  if (message) {
    throw new ValidationError(
      [{ pointer, message, in: 'body' }],
      `The password ${message}.`,
      'IAM_ERR_WEAK_PASSWORD',
    );
  }
}
