import { hkdfSync } from 'node:crypto';
import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';
import type { Payload } from 'altcha-lib/v1/types';
import type { Clock } from '../clock.ts';

// ALTCHA (https://altcha.org): the built-in captcha, a proof of work the client solves in the browser
// with no third party involved. A challenge is stateless (HMAC-signed, expiry in its salt), so any
// replica verifies it; only the "already used" list needs sharing, hence the UsedCaptchaStore port.

/** The challenge a client fetches and solves (ALTCHA v1 format, as the widget expects). */
export interface AltchaChallenge {
  algorithm: 'SHA-256';
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

export type AltchaFailure = 'malformed' | 'expired' | 'invalid' | 'reused';
export type AltchaResult = { ok: true } | { ok: false; reason: AltchaFailure };

/**
 * Remembers spent solutions so each solved challenge is accepted once. A shared implementation
 * (Redis `SET id 1 NX PXAT expiresAt`) makes the refusal hold across replicas.
 */
export interface UsedCaptchaStore {
  /** Records `id` as spent until `expiresAt`; false when it was already spent. */
  markUsed(id: string, expiresAt: Date): Promise<boolean>;
}

export interface Altcha {
  createChallenge(): Promise<AltchaChallenge>;
  /** Checks a solution (base64 of the widget's JSON payload, or that JSON itself) and spends it. */
  verify(solution: string): Promise<AltchaResult>;
}

export interface AltchaOptions {
  hmacKey: string;
  /** Difficulty: the secret number is drawn from 1..maxNumber. */
  maxNumber: number;
  ttlSeconds: number;
  clock: Clock;
  used: UsedCaptchaStore;
}

const ALGORITHM = 'SHA-256';
// The widget's payload is ~300 bytes; anything much larger is not one and is not worth parsing.
const MAX_SOLUTION_LENGTH = 4096;
const HEX64 = /^[0-9a-f]{64}$/;

/** The HMAC key: the configured one, else derived from the key-encryption key so none must be set. */
export function altchaHmacKey(configured: string, keyEncryptionKey: Buffer): string {
  if (configured) return configured;
  return Buffer.from(hkdfSync('sha256', keyEncryptionKey, Buffer.alloc(0), 'altcha-hmac', 32)).toString(
    'hex',
  );
}

function parsePayload(solution: string): Payload | undefined {
  if (solution.length === 0 || solution.length > MAX_SOLUTION_LENGTH) return undefined;
  let value: unknown;
  try {
    const json = solution.trimStart().startsWith('{')
      ? solution
      : Buffer.from(solution, 'base64').toString('utf8');
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Record<string, unknown>;
  // Pinning the algorithm keeps a client from choosing a weaker hash for its own payload.
  if (p.algorithm !== ALGORITHM) return undefined;
  if (typeof p.challenge !== 'string' || !HEX64.test(p.challenge)) return undefined;
  if (typeof p.signature !== 'string' || !HEX64.test(p.signature)) return undefined;
  if (typeof p.salt !== 'string' || p.salt.length > 512) return undefined;
  if (typeof p.number !== 'number' || !Number.isSafeInteger(p.number) || p.number < 0) return undefined;
  return {
    algorithm: ALGORITHM,
    challenge: p.challenge,
    number: p.number,
    salt: p.salt,
    signature: p.signature,
  };
}

export function createAltcha(options: AltchaOptions): Altcha {
  const { hmacKey, maxNumber, ttlSeconds, clock, used } = options;
  return {
    async createChallenge() {
      const challenge = await createChallenge({
        algorithm: ALGORITHM,
        hmacKey,
        maxnumber: maxNumber,
        expires: new Date(clock.now().getTime() + ttlSeconds * 1000),
        saltLength: 16,
      });
      return {
        algorithm: ALGORITHM,
        challenge: challenge.challenge,
        maxnumber: challenge.maxnumber ?? maxNumber,
        salt: challenge.salt,
        signature: challenge.signature,
      };
    },

    async verify(solution) {
      const payload = parsePayload(solution);
      if (!payload) return { ok: false, reason: 'malformed' };
      // The expiry sits in the salt, which the signed challenge hash covers, so it cannot be edited.
      const expires = Number(extractParams(payload).expires);
      if (!Number.isSafeInteger(expires)) return { ok: false, reason: 'invalid' };
      const expiresAt = new Date(expires * 1000);
      if (expiresAt.getTime() <= clock.now().getTime()) return { ok: false, reason: 'expired' };
      // altcha-lib checks expiry against the system time; ours uses the injected clock above.
      if (!(await verifySolution(payload, hmacKey, false))) return { ok: false, reason: 'invalid' };
      // Spent only once proven valid, so garbage cannot fill the store.
      if (!(await used.markUsed(payload.signature, expiresAt))) return { ok: false, reason: 'reused' };
      return { ok: true };
    },
  };
}

export interface MemoryUsedCaptchaStoreOptions {
  clock: Clock;
  /** Entries kept at most; the oldest go first when full. */
  maxEntries?: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * One process's spent solutions. When full, the oldest entry is dropped: replaying it would need a
 * store-full of freshly solved challenges first, which costs more work than solving one anew.
 */
export function createMemoryUsedCaptchaStore(options: MemoryUsedCaptchaStoreOptions): UsedCaptchaStore {
  const { clock, maxEntries = 100_000 } = options;
  const entries = new Map<string, number>();
  let nextSweep = 0;

  function sweep(now: number): void {
    for (const [id, expiresAt] of entries) if (expiresAt <= now) entries.delete(id);
    nextSweep = now + SWEEP_INTERVAL_MS;
  }

  return {
    async markUsed(id, expiresAt) {
      const now = clock.now().getTime();
      // A periodic sweep, not one per call: a full store must not make every call O(n).
      if (now >= nextSweep) sweep(now);
      const known = entries.get(id);
      if (known !== undefined && known > now) return false;
      entries.delete(id);
      // Insertion order is near expiry order (one TTL), so the oldest is usually expired anyway.
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      entries.set(id, expiresAt.getTime());
      return true;
    },
  };
}
