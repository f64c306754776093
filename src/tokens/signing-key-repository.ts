import type { JWK } from 'jose';
import type { Tx } from '../db/index.ts';
import { fromJson, isUniqueViolation, toJson } from '../db/index.ts';

export interface StoredKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateKeyEnc: string;
  state: 'next' | 'active' | 'retired';
  createdAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
}

/** Keys that may still verify tokens: the next key, the active one and retired ones not yet expired. */
export async function listPublishedKeys(
  trx: Tx,
  tenantId: string,
  retiredSince: string,
): Promise<StoredKey[]> {
  const rows = await trx
    .selectFrom('signing_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('state', '!=', 'retired'), eb('retired_at', '>', retiredSince)]))
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    kid: r.kid,
    alg: r.alg,
    publicJwk: fromJson<JWK>(r.public_jwk),
    privateKeyEnc: r.private_key_enc,
    state: r.state,
    createdAt: r.created_at,
    activatedAt: r.activated_at,
    retiredAt: r.retired_at,
  }));
}

/**
 * Inserts a key as the tenant's active or next key; false when another process got there first (the
 * partial unique indexes allow one of each per tenant).
 */
export async function insertKey(
  trx: Tx,
  tenantId: string,
  key: Pick<StoredKey, 'kid' | 'alg' | 'publicJwk' | 'privateKeyEnc'>,
  state: 'active' | 'next',
  now: string,
): Promise<boolean> {
  try {
    await trx
      .insertInto('signing_keys')
      .values({
        tenant_id: tenantId,
        kid: key.kid,
        alg: key.alg,
        public_jwk: toJson(key.publicJwk),
        private_key_enc: key.privateKeyEnc,
        state,
        created_at: now,
        activated_at: state === 'active' ? now : null,
        retired_at: null,
      })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Retires a key if it is still in `state`; false when another process changed it first. */
export async function retireKey(
  trx: Tx,
  tenantId: string,
  kid: string,
  state: 'active' | 'next',
  now: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('signing_keys')
    .set({ state: 'retired', retired_at: now })
    .where('tenant_id', '=', tenantId)
    .where('kid', '=', kid)
    .where('state', '=', state)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function activateNextKey(trx: Tx, tenantId: string, kid: string, now: string): Promise<boolean> {
  const result = await trx
    .updateTable('signing_keys')
    .set({ state: 'active', activated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('kid', '=', kid)
    .where('state', '=', 'next')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
