import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import type { KeyEncryption } from './key-encryption.ts';
import { insertActiveKey, listPublishedKeys, type StoredKey } from './signing-key-repository.ts';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
}

export interface SigningKeyStore {
  /** The tenant's active signing key, created on first use. */
  signingKey(tenantId: string): Promise<SigningKey>;
  /** The public key for `kid`, if the tenant publishes it. */
  verificationKey(tenantId: string, kid: string): Promise<{ alg: string; key: KeyObject } | undefined>;
  /** The tenant's JWK Set (RFC 7517 §5). */
  jwks(tenantId: string): Promise<{ keys: JWK[] }>;
}

interface TenantKeys {
  active?: SigningKey;
  published: Map<string, { alg: string; key: KeyObject; jwk: JWK }>;
  /** `performance.now()` of the load: cache age ignores wall-clock jumps. */
  loadedAt: number;
}

// Retired keys stay published this long after retirement, longer than any token they signed lives.
const RETIRED_PUBLISHED_MS = 24 * 3600_000;
// Public keys are re-read this often, and at most this often when a token names an unknown kid.
const REFRESH_MS = 60_000;
const UNKNOWN_KID_RELOAD_MS = 5_000;

export function createSigningKeyStore(deps: {
  database: Database;
  encryption: KeyEncryption;
  clock: Clock;
}): SigningKeyStore {
  const { database, encryption, clock } = deps;
  const cache = new Map<string, TenantKeys>();

  const aad = (tenantId: string, kid: string) => `signing-key:${tenantId}:${kid}`;

  function decode(tenantId: string, stored: StoredKey[]): TenantKeys {
    const published = new Map<string, { alg: string; key: KeyObject; jwk: JWK }>();
    let active: SigningKey | undefined;
    for (const k of stored) {
      published.set(k.kid, {
        alg: k.alg,
        key: createPublicKey({ key: k.publicJwk as never, format: 'jwk' }),
        jwk: k.publicJwk,
      });
      if (k.state === 'active') {
        const der = encryption.decrypt(k.privateKeyEnc, aad(tenantId, k.kid));
        active = {
          kid: k.kid,
          alg: k.alg,
          privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
        };
      }
    }
    return { published, loadedAt: performance.now(), ...(active ? { active } : {}) };
  }

  async function load(tenantId: string): Promise<TenantKeys> {
    const since = new Date(clock.now().getTime() - RETIRED_PUBLISHED_MS).toISOString();
    const stored = await database.withTenant(tenantId, (trx) => listPublishedKeys(trx, tenantId, since));
    const keys = decode(tenantId, stored);
    cache.set(tenantId, keys);
    return keys;
  }

  async function current(tenantId: string): Promise<TenantKeys> {
    const cached = cache.get(tenantId);
    if (cached && performance.now() - cached.loadedAt < REFRESH_MS) return cached;
    return load(tenantId);
  }

  async function createFirstKey(tenantId: string): Promise<void> {
    // Ed25519 (RFC 8037): small, fast, deterministic signatures with no nonce to get wrong.
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(publicJwk);
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const stored: StoredKey = {
      kid,
      alg: 'EdDSA',
      publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' },
      privateKeyEnc: encryption.encrypt(der, aad(tenantId, kid)),
      state: 'active',
    };
    await database.withTenant(tenantId, (trx) =>
      insertActiveKey(trx, tenantId, stored, clock.now().toISOString()),
    );
  }

  return {
    async signingKey(tenantId) {
      let keys = await current(tenantId);
      if (!keys.active) {
        await createFirstKey(tenantId);
        keys = await load(tenantId);
      }
      if (!keys.active) throw new Error('no active signing key after creating one');
      return keys.active;
    },
    async verificationKey(tenantId, kid) {
      let keys = await current(tenantId);
      if (!keys.published.has(kid) && performance.now() - keys.loadedAt > UNKNOWN_KID_RELOAD_MS) {
        keys = await load(tenantId);
      }
      const found = keys.published.get(kid);
      return found && { alg: found.alg, key: found.key };
    },
    async jwks(tenantId) {
      const keys = await current(tenantId);
      return { keys: [...keys.published.values()].map((k) => k.jwk) };
    },
  };
}
