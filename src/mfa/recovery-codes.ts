import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
// An alphabet without look-alikes (0/O, 1/I/L, U), so codes survive being read aloud or copied by
// hand; 12 characters of its 30 symbols carry about 59 random bits.
const ALPHABET = '23456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 12;

/** Ten fresh codes, formatted `xxxx-xxxx-xxxx` for reading; shown to the user once. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
  });
}

/** What the user typed, reduced to the code itself: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}

/**
 * Stored form. Codes carry about 59 random bits and are single-use, so a plain SHA-256 (bound to the user)
 * is enough: no offline guessing is feasible, and lookups stay an index probe.
 */
export function hashRecoveryCode(userId: string, input: string): string {
  return createHash('sha256')
    .update(`${userId}:${normalizeRecoveryCode(input)}`)
    .digest('hex');
}
