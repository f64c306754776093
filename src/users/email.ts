import { ValidationError } from '../http/index.ts';

/**
 * The form an address is compared in: trimmed, Unicode NFC, lower-cased. Uniqueness and sign-in use
 * this form, so `Ann@Example.com` and `ann@example.com` are one account.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

// One @, no whitespace or control characters (so no header injection into emails), a dot in the
// domain; RFC 5321 §4.5.3.1 caps the path at 254 characters.
const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}.]+(\.[^\s@\p{Cc}.]+)+$/u;

/** The address as stored (trimmed, NFC), or a 422 naming the field. */
export function cleanEmail(email: string, pointer = '/email'): string {
  const clean = email.trim().normalize('NFC');
  if (clean.length > 254 || !EMAIL.test(clean)) {
    throw new ValidationError([{ pointer, message: 'must be a valid email address', in: 'body' }]);
  }
  return clean;
}
