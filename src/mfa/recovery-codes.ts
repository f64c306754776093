import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
// An alphabet without look-alikes (0/O, 1/I/L, U), so codes survive being read aloud or copied by
// hand. 24 of its 30 symbols carry about 118 random bits: above the 112 bits under which ASVS 5.0
// §6.5.2 asks lookup secrets to be stored with a slow salted hash, so SHA-256 is enough to store them.
const ALPHABET = '23456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 24;
const GROUP = 6;

/** Ten fresh codes, formatted `xxxxxx-xxxxxx-xxxxxx-xxxxxx` for reading; shown to the user once. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    return code.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-');
  });
}

/** What the user typed, reduced to the code itself: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}

/**
 * Stored form. Codes carry about 118 random bits and are single-use, so a plain SHA-256 (bound to the
 * user) is enough: offline guessing is infeasible, and lookups stay an index probe. Codes issued
 * before the length grew (12 symbols) hash the same way and keep working until used or replaced.
 */
export function hashRecoveryCode(userId: string, input: string): string {
  return createHash('sha256')
    .update(`${userId}:${normalizeRecoveryCode(input)}`)
    .digest('hex');
}
