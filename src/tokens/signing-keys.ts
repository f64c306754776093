import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { Clock } from '../clock.ts';
import type { Database, Tx } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import type { KeyEncryption } from './key-encryption.ts';
import { generateSigningKey, type SigningAlgorithm } from './key-generation.ts';
import {
  activateNextKey,
  insertKey,
  listPublishedKeys,
  retireKey,
  type StoredKey,
} from './signing-key-repository.ts';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
}

/** How a tenant's keys rotate (its `tokens` settings). */
export interface RotationPolicy {
  signing_algorithm: SigningAlgorithm;
  signing_key_rotation_days: number;
}

export type KeyInfo = Pick<StoredKey, 'kid' | 'alg' | 'state' | 'createdAt' | 'activatedAt' | 'retiredAt'>;

export interface SigningKeyStore {
  /** The tenant's active signing key; creates, publishes and promotes keys as the policy says. */
  signingKey(tenantId: string, policy: RotationPolicy): Promise<SigningKey>;
  /** The public key for `kid`, if the tenant publishes it. */
  verificationKey(tenantId: string, kid: string): Promise<{ alg: string; key: KeyObject } | undefined>;
  /** The tenant's JWK Set (RFC 7517 §5). */
  jwks(tenantId: string): Promise<{ keys: JWK[] }>;
  /** The published keys, newest first. */
  list(tenantId: string): Promise<KeyInfo[]>;
  /**
   * On demand: publishes a next key that starts signing after the publication lead; `immediate`
   * (a key feared compromised) makes a fresh key sign at once.
   */
  rotate(
    tenantId: string,
    policy: RotationPolicy,
    options: { immediate: boolean; actorId: string },
  ): Promise<void>;
}

interface TenantKeys {
  active?: SigningKey & { activatedAt: string };
  next?: { kid: string; createdAt: string };
  published: Map<string, { alg: string; key: KeyObject; jwk: JWK; retiredAt: string | null }>;
  stored: StoredKey[];
  /** `performance.now()` of the load: cache age ignores wall-clock jumps. */
  loadedAt: number;
}

// Retired keys stay published this long after retirement, longer than any token they signed lives.
const RETIRED_PUBLISHED_MS = 24 * 3600_000;
// Public keys are re-read this often, and at most this often when a token names an unknown kid.
const REFRESH_MS = 60_000;
const UNKNOWN_KID_RELOAD_MS = 5_000;
const DAY_MS = 86_400_000;

/**
 * Per-tenant signing keys with rotation: a next key is published in the JWKS first, signs only once
 * it has been published for `publishLeadSeconds` (longer than verifiers cache the JWKS), and the key
 * it replaces stays published until the last token it signed has expired.
 */
export function createSigningKeyStore(deps: {
  database: Database;
  encryption: KeyEncryption;
  clock: Clock;
  publishLeadSeconds: number;
}): SigningKeyStore {
  const { database, encryption, clock } = deps;
  const leadMs = deps.publishLeadSeconds * 1000;
  const cache = new Map<string, TenantKeys>();

  const aad = (tenantId: string, kid: string) => `signing-key:${tenantId}:${kid}`;

  function decode(tenantId: string, stored: StoredKey[]): TenantKeys {
    const keys: TenantKeys = { published: new Map(), stored, loadedAt: performance.now() };
    for (const k of stored) {
      keys.published.set(k.kid, {
        alg: k.alg,
        key: createPublicKey({ key: k.publicJwk as never, format: 'jwk' }),
        jwk: k.publicJwk,
        retiredAt: k.retiredAt,
      });
      if (k.state === 'next') keys.next = { kid: k.kid, createdAt: k.createdAt };
      if (k.state === 'active') {
        const der = encryption.decrypt(k.privateKeyEnc, aad(tenantId, k.kid));
        keys.active = {
          kid: k.kid,
          alg: k.alg,
          privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
          activatedAt: k.activatedAt ?? k.createdAt,
        };
      }
    }
    return keys;
  }

  async function load(tenantId: string): Promise<TenantKeys> {
    const since = new Date(clock.now().getTime() - RETIRED_PUBLISHED_MS).toISOString();
    const stored = await database.withTenant(tenantId, (trx) => listPublishedKeys(trx, tenantId, since));
    const keys = decode(tenantId, stored);
    cache.set(tenantId, keys);
    return keys;
  }

  /** Still published now: a retired key leaves once every token it signed has expired. */
  const live = (k: { retiredAt: string | null }) =>
    k.retiredAt === null || Date.parse(k.retiredAt) + RETIRED_PUBLISHED_MS > clock.now().getTime();

  async function current(tenantId: string): Promise<TenantKeys> {
    const cached = cache.get(tenantId);
    if (cached && performance.now() - cached.loadedAt < REFRESH_MS) return cached;
    return load(tenantId);
  }

  async function newKey(trx: Tx, tenantId: string, alg: SigningAlgorithm, state: 'active' | 'next') {
    const { kid, publicJwk, der } = generateSigningKey(alg);
    const stored = { kid, alg, publicJwk, privateKeyEnc: encryption.encrypt(der, aad(tenantId, kid)) };
    return (await insertKey(trx, tenantId, stored, state, clock.now().toISOString())) ? kid : undefined;
  }

  async function rotated(
    trx: Tx,
    tenantId: string,
    kid: string,
    previous: string | null,
    reason: string,
    actorId: string | null,
  ) {
    await appendEvent(
      trx,
      {
        type: 'signing_key.rotated',
        tenantId,
        payload: { tenant_id: tenantId, kid, previous_kid: previous, reason, actor_id: actorId },
      },
      clock.now(),
    );
  }

  /** Makes the next key the signing one, unless another process already did (then nothing happens). */
  async function promote(
    tenantId: string,
    activeKid: string,
    nextKid: string,
    reason: string,
    actorId: string | null,
  ) {
    const now = clock.now().toISOString();
    await database.withTenant(tenantId, async (trx) => {
      if (!(await retireKey(trx, tenantId, activeKid, 'active', now))) return;
      if (!(await activateNextKey(trx, tenantId, nextKid, now)))
        throw new Error('the next signing key vanished');
      await rotated(trx, tenantId, nextKid, activeKid, reason, actorId);
    });
  }

  /** The rotation the policy asks for now, if any: publish a next key, or let a published one sign. */
  async function rotateIfDue(tenantId: string, keys: TenantKeys, policy: RotationPolicy): Promise<boolean> {
    const active = keys.active;
    if (!active) return false;
    const now = clock.now().getTime();
    if (keys.next) {
      if (Date.parse(keys.next.createdAt) + leadMs > now) return false;
      await promote(tenantId, active.kid, keys.next.kid, 'scheduled', null);
      return true;
    }
    const due = Date.parse(active.activatedAt) + policy.signing_key_rotation_days * DAY_MS - leadMs;
    if (due > now && active.alg === policy.signing_algorithm) return false;
    await database.withTenant(tenantId, (trx) => newKey(trx, tenantId, policy.signing_algorithm, 'next'));
    return true;
  }

  return {
    async signingKey(tenantId, policy) {
      let keys = await current(tenantId);
      if (!keys.active) {
        await database.withTenant(tenantId, (trx) =>
          newKey(trx, tenantId, policy.signing_algorithm, 'active'),
        );
        keys = await load(tenantId);
      }
      if (await rotateIfDue(tenantId, keys, policy)) keys = await load(tenantId);
      if (!keys.active) throw new Error('no active signing key after creating one');
      return keys.active;
    },

    async verificationKey(tenantId, kid) {
      let keys = await current(tenantId);
      if (!keys.published.has(kid) && performance.now() - keys.loadedAt > UNKNOWN_KID_RELOAD_MS) {
        keys = await load(tenantId);
      }
      const found = keys.published.get(kid);
      return found && live(found) ? { alg: found.alg, key: found.key } : undefined;
    },

    async jwks(tenantId) {
      const keys = await current(tenantId);
      return { keys: [...keys.published.values()].filter(live).map((k) => k.jwk) };
    },

    async list(tenantId) {
      const keys = await load(tenantId);
      return keys.stored.map(({ kid, alg, state, createdAt, activatedAt, retiredAt }) => ({
        kid,
        alg,
        state,
        createdAt,
        activatedAt,
        retiredAt,
      }));
    },

    async rotate(tenantId, policy, { immediate, actorId }) {
      const keys = await load(tenantId);
      if (!immediate) {
        if (!keys.next)
          await database.withTenant(tenantId, (trx) =>
            newKey(trx, tenantId, policy.signing_algorithm, 'next'),
          );
      } else {
        const now = clock.now().toISOString();
        await database.withTenant(tenantId, async (trx) => {
          // A key feared compromised must not sign again, nor may a next key it might have seen.
          if (keys.next) await retireKey(trx, tenantId, keys.next.kid, 'next', now);
          if (keys.active) await retireKey(trx, tenantId, keys.active.kid, 'active', now);
          const kid = await newKey(trx, tenantId, policy.signing_algorithm, 'active');
          if (!kid) throw new Error('another rotation ran at the same time');
          await rotated(trx, tenantId, kid, keys.active?.kid ?? null, 'immediate', actorId);
        });
      }
      await load(tenantId);
    },
  };
}
