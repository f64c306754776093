import type { Insertable, Selectable } from 'kysely';
import { type DB, type Tx, toJson } from '../db/index.ts';

export type CredentialRow = DB['mfa_credentials'];
export type ChallengeRow = Selectable<DB['mfa_challenges']>;

export async function findCredential(
  trx: Tx,
  tenantId: string,
  userId: string,
  status: CredentialRow['status'],
): Promise<CredentialRow | undefined> {
  return trx
    .selectFrom('mfa_credentials')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('status', '=', status)
    .executeTakeFirst();
}

export async function insertCredential(trx: Tx, row: CredentialRow): Promise<void> {
  await trx.insertInto('mfa_credentials').values(row).execute();
}

export async function deleteCredentials(
  trx: Tx,
  tenantId: string,
  userId: string,
  status?: CredentialRow['status'],
): Promise<number> {
  let query = trx
    .deleteFrom('mfa_credentials')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId);
  if (status) query = query.where('status', '=', status);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function activateCredential(trx: Tx, tenantId: string, id: string, now: string): Promise<void> {
  await trx
    .updateTable('mfa_credentials')
    .set({ status: 'active', confirmed_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/**
 * Records that a time step's code was used; false when it already was (a replay). The primary key
 * makes the check and the record one atomic statement, so two concurrent uses cannot both pass.
 */
export async function claimStep(
  trx: Tx,
  tenantId: string,
  credentialId: string,
  step: number,
  expiresAt: string,
): Promise<boolean> {
  const result = await trx
    .insertInto('mfa_used_steps')
    .values({ tenant_id: tenantId, credential_id: credentialId, step, expires_at: expiresAt })
    .onConflict((oc) => oc.doNothing())
    .returning('step')
    .execute();
  return result.length === 1;
}

export async function replaceRecoveryCodes(
  trx: Tx,
  tenantId: string,
  userId: string,
  hashes: readonly string[],
  now: string,
): Promise<void> {
  await deleteRecoveryCodes(trx, tenantId, userId);
  await trx
    .insertInto('mfa_recovery_codes')
    .values(
      hashes.map((code_hash) => ({
        tenant_id: tenantId,
        user_id: userId,
        code_hash,
        created_at: now,
        used_at: null,
      })),
    )
    .execute();
}

export async function deleteRecoveryCodes(trx: Tx, tenantId: string, userId: string): Promise<void> {
  await trx
    .deleteFrom('mfa_recovery_codes')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .execute();
}

export async function countUnusedRecoveryCodes(trx: Tx, tenantId: string, userId: string): Promise<number> {
  const row = await trx
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function insertChallenge(trx: Tx, row: Insertable<DB['mfa_challenges']>): Promise<void> {
  await trx
    .insertInto('mfa_challenges')
    .values({ ...row, amr: toJson(row.amr) })
    .execute();
}

/** `forUpdate` (PostgreSQL) holds the challenge until the transaction ends: concurrent wrong codes queue. */
export async function findChallenge(
  trx: Tx,
  tenantId: string,
  tokenHash: string,
  options: { forUpdate?: boolean } = {},
): Promise<ChallengeRow | undefined> {
  const query = trx
    .selectFrom('mfa_challenges')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', tokenHash);
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

/** Counts a wrong code against the challenge and spends it once the limit is reached. */
export async function recordChallengeFailure(
  trx: Tx,
  tenantId: string,
  tokenHash: string,
  maxFailures: number,
  now: string,
): Promise<void> {
  await trx
    .updateTable('mfa_challenges')
    .set((eb) => ({
      failures: eb('failures', '+', 1),
      used_at: eb
        .case()
        .when('failures', '>=', maxFailures - 1)
        .then(now)
        .else(eb.ref('used_at'))
        .end(),
    }))
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', tokenHash)
    .execute();
}

/** Wrong codes entered for a user in challenges created since `since` (the per-account limit). */
export async function recentFailures(
  trx: Tx,
  tenantId: string,
  userId: string,
  since: string,
): Promise<number> {
  const row = await trx
    .selectFrom('mfa_challenges')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('failures'), eb.lit(0)).as('n'))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Whether the user has a confirmed authenticator, inside the caller's transaction. */
export async function hasActiveFactor(trx: Tx, tenantId: string, userId: string): Promise<boolean> {
  return (await findCredential(trx, tenantId, userId, 'active')) !== undefined;
}
