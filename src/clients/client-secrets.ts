import { createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are 256-bit random values, so a keyed fast hash (HMAC-SHA256 under a key derived from
 * the key-encryption key) stores them safely: there is nothing to brute-force, and client-credentials
 * grants stay fast. argon2 is for low-entropy human passwords.
 */
export function createSecretHasher(keyEncryptionKey: Buffer) {
  // A KeyObject made once: an HMAC keyed by a raw Buffer imports the key again on every call (6× slower).
  const key = createSecretKey(
    Buffer.from(hkdfSync('sha256', keyEncryptionKey, Buffer.alloc(0), 'gatehouse client secrets', 32)),
  );
  const digest = (secret: string) => createHmac('sha256', key).update(secret).digest();
  return {
    generate: () => randomBytes(32).toString('base64url'),
    hash: (secret: string) => digest(secret).toString('base64url'),
    /** Constant-time comparison against a stored hash. */
    matches(secret: string, stored: string | null): boolean {
      if (!stored) return false;
      const expected = Buffer.from(stored, 'base64url');
      const actual = digest(secret);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}

export type SecretHasher = ReturnType<typeof createSecretHasher>;
