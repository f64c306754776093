import { type DB, fromJson, isUniqueViolation, keysetPage, type Tx, toJson } from '../db/index.ts';
import { AppError, type CursorKey } from '../http/index.ts';

export interface Policy {
  id: string;
  name: string;
  description: string;
  /** The current version; every saved document is kept in `policy_versions`. */
  version: number;
  document: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface PolicyVersion {
  policyId: string;
  version: number;
  document: unknown;
  createdAt: string;
  createdBy: string | null;
}

const toPolicy = (row: DB['policies']): Policy => ({
  id: row.id,
  name: row.name,
  description: row.description,
  version: row.version,
  document: fromJson(row.document),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toVersion = (row: DB['policy_versions']): PolicyVersion => ({
  policyId: row.policy_id,
  version: row.version,
  document: fromJson(row.document),
  createdAt: row.created_at,
  createdBy: row.created_by,
});

function nameTaken(name: string): AppError {
  return new AppError('IAM_ERR_POLICY_NAME_TAKEN', `Another policy is already named "${name}".`);
}

async function insertVersion(trx: Tx, tenantId: string, policy: Policy, createdBy: string | null) {
  await trx
    .insertInto('policy_versions')
    .values({
      tenant_id: tenantId,
      policy_id: policy.id,
      version: policy.version,
      document: toJson(policy.document),
      created_at: policy.updatedAt,
      created_by: createdBy,
    })
    .execute();
}

/** The policy with its first version. */
export async function insertPolicy(trx: Tx, tenantId: string, policy: Policy, createdBy: string | null) {
  try {
    await trx
      .insertInto('policies')
      .values({
        tenant_id: tenantId,
        id: policy.id,
        name: policy.name,
        description: policy.description,
        version: policy.version,
        document: toJson(policy.document),
        created_at: policy.createdAt,
        updated_at: policy.updatedAt,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(policy.name);
    throw error;
  }
  await insertVersion(trx, tenantId, policy, createdBy);
}

/** Saves a new version: the policy row takes it, and the history keeps it. */
export async function updatePolicy(trx: Tx, tenantId: string, policy: Policy, createdBy: string | null) {
  try {
    await trx
      .updateTable('policies')
      .set({
        name: policy.name,
        description: policy.description,
        version: policy.version,
        document: toJson(policy.document),
        updated_at: policy.updatedAt,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', policy.id)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(policy.name);
    throw error;
  }
  await insertVersion(trx, tenantId, policy, createdBy);
}

/** A policy by canonical id; `forUpdate` (PostgreSQL) locks it until the transaction ends. */
export async function findPolicy(
  trx: Tx,
  tenantId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Policy | undefined> {
  let query = trx.selectFrom('policies').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toPolicy(row);
}

export async function findPolicyVersion(
  trx: Tx,
  tenantId: string,
  id: string,
  version: number,
): Promise<PolicyVersion | undefined> {
  const row = await trx
    .selectFrom('policy_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('policy_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && toVersion(row);
}

/** Keyset pagination on (created_at, id), served by the `policies_created` index. */
export async function listPolicies(
  trx: Tx,
  tenantId: string,
  options: { limit: number; after?: CursorKey },
): Promise<Policy[]> {
  const query = trx.selectFrom('policies').selectAll().where('tenant_id', '=', tenantId);
  const rows = await keysetPage(query, { by: ['created_at', 'id'] }, options).execute();
  return rows.map(toPolicy);
}

/** The history, newest first, keyset-paginated on the version number. */
export async function listPolicyVersions(
  trx: Tx,
  tenantId: string,
  id: string,
  options: { limit: number; after?: CursorKey },
): Promise<PolicyVersion[]> {
  const query = trx
    .selectFrom('policy_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('policy_id', '=', id);
  const after = options.after && [Number(options.after[0])];
  const rows = await keysetPage(
    query,
    { by: ['version'], descending: true },
    { ...options, after },
  ).execute();
  return rows.map(toVersion);
}

export async function countPolicies(trx: Tx, tenantId: string): Promise<number> {
  const row = await trx
    .selectFrom('policies')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes a policy; its versions and attachments go with it (foreign keys `ON DELETE CASCADE`). */
export async function deletePolicy(trx: Tx, tenantId: string, id: string): Promise<void> {
  await trx.deleteFrom('policies').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}
