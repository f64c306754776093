import type { JWK } from 'jose';
import type { Tx } from '../db/index.ts';
import { fromJson, isUniqueViolation, toJson } from '../db/index.ts';

export interface StoredKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateKeyEnc: string;
  state: 'next' | 'active' | 'retired';
}

/** Keys that may still verify tokens: the next key, the active one and retired ones not yet expired. */
export async function listPublishedKeys(
  trx: Tx,
  tenantId: string,
  retiredSince: string,
): Promise<StoredKey[]> {
  const rows = await trx
    .selectFrom('signing_keys')
    .select(['kid', 'alg', 'public_jwk', 'private_key_enc', 'state'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('state', '!=', 'retired'), eb('retired_at', '>', retiredSince)]))
    .execute();
  return rows.map((r) => ({
    kid: r.kid,
    alg: r.alg,
    publicJwk: fromJson<JWK>(r.public_jwk),
    privateKeyEnc: r.private_key_enc,
    state: r.state,
  }));
}

/** Inserts the tenant's first active key; false when another process created one first. */
export async function insertActiveKey(
  trx: Tx,
  tenantId: string,
  key: StoredKey,
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
        state: 'active',
        created_at: now,
        activated_at: now,
        retired_at: null,
      })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
