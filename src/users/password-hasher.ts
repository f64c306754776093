import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';
import { createHashingPool, type HashJob } from './hashing-pool.ts';

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
  /** Stops the hashing threads, if any. */
  close(): Promise<void>;
}

/**
 * Hashing threads per process when PASSWORD_HASH_THREADS is 0: one per core, shared among the worker
 * processes. argon2id is memory-hard: with more hashes in flight than cores, each one waits for the
 * memory bus and the caches the others evict, and takes more CPU time (on 2 cores, 4 in flight gave
 * 200 hashes/s against 231 with 2).
 */
export function hashingThreadsPerProcess(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.round(cores / workers));
}

/** The same jobs on the libuv thread pool (scripts, tests, the raw-rate baseline). */
function onThreadPool(options: object) {
  return {
    run(job: HashJob): Promise<string | boolean> {
      if (job.kind === 'hash') return hash(job.password, options);
      if (job.kind === 'verify') return verify(job.stored, job.password);
      return verifyBcrypt(job.password, job.stored);
    },
    close: async () => {},
  };
}

/**
 * argon2id (RFC 9106) at OWASP's parameters by default. Hashing never blocks the event loop: with
 * `threads`, it runs on that many threads of its own at a lower CPU priority (src/users/hashing-pool.ts),
 * so other requests keep their latency while sign-ins saturate the CPU; without, on the libuv pool.
 */
export function createPasswordHasher(
  params: HashParameters,
  pool: { threads?: number } = {},
): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params };
  const marker = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  const runner = pool.threads
    ? createHashingPool({ threads: pool.threads, argon2: options })
    : onThreadPool(options);
  const run = <T extends string | boolean>(job: HashJob) => runner.run(job) as Promise<T>;
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => run<string>({ kind: 'hash', password }),
    async verify(stored, password) {
      // Imported bcrypt hashes verify once more, then the caller stores an argon2id hash instead.
      if (BCRYPT.test(stored)) {
        const ok = await run<boolean>({ kind: 'bcrypt', stored, password });
        return { ok, needsRehash: ok };
      }
      if (!stored.startsWith('$argon2id$')) return { ok: false, needsRehash: false };
      const ok = await run<boolean>({ kind: 'verify', stored, password });
      return { ok, needsRehash: ok && !stored.startsWith(marker) };
    },
    async verifyDummy(password) {
      dummy ??= run<string>({ kind: 'hash', password: randomBytes(16).toString('hex') });
      await run<boolean>({ kind: 'verify', stored: await dummy, password });
    },
    close: () => runner.close(),
  };
}
