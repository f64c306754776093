/**
 * The form an address is compared in: trimmed, Unicode NFC, lower-cased. Uniqueness and sign-in use
 * this form, so `Ann@Example.com` and `ann@example.com` are one account.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}
