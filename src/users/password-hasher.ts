import { randomBytes } from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';

// The package's `Algorithm` is a const enum, which type stripping cannot inline; its Argon2id is 2.
const ARGON2ID: Algorithm.Argon2id = 2;

/** Hashes accepted on import: bcrypt (`$2a$`, `$2b$`, `$2y$`) and argon2id in PHC form. */
export const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
export const IMPORTABLE_HASH =
  /^(\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}|\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+)$/;

export interface HashParameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against argon2id; `needsRehash` is true when the stored parameters differ from the current ones. */
  verify(stored: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Spends the same time as a real verification, for unknown accounts (no timing oracle). */
  verifyDummy(password: string): Promise<void>;
}

/**
 * argon2id (RFC 9106) at OWASP's parameters by default. `@node-rs/argon2` runs each hash on the libuv
 * thread pool, so hashing never blocks the event loop.
 */
export function createPasswordHasher(params: HashParameters): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params };
  const marker = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    async verify(stored, password) {
      // Imported bcrypt hashes verify once more, then the caller stores an argon2id hash instead.
      if (BCRYPT.test(stored)) {
        const ok = await verifyBcrypt(password, stored);
        return { ok, needsRehash: ok };
      }
      if (!stored.startsWith('$argon2id$')) return { ok: false, needsRehash: false };
      const ok = await verify(stored, password);
      return { ok, needsRehash: ok && !stored.startsWith(marker) };
    },
    async verifyDummy(password) {
      dummy ??= hash(randomBytes(16).toString('hex'), options);
      await verify(await dummy, password);
    },
  };
}
