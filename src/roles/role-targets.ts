import { canonicalId, type Tx } from '../db/index.ts';
import { AppError } from '../http/index.ts';
import { findRole, type Role } from './role-repository.ts';

// The things roles and policies are given to, looked up by an id from a URL. An id that is
// malformed, unknown or another tenant's gets the same 404, so ids cannot be probed; on PostgreSQL
// `forUpdate` locks the row until the transaction ends, so a concurrent delete cannot slip between
// the check and the write that references it (SQLite runs one writer at a time).

export interface LockOption {
  forUpdate?: boolean;
}

export const roleNotFound = () => new AppError('IAM_ERR_ROLE_NOT_FOUND', 'No such role.');
export const userNotFound = () => new AppError('IAM_ERR_USER_NOT_FOUND', 'No such user.');
export const groupNotFound = () => new AppError('IAM_ERR_GROUP_NOT_FOUND', 'No such group.');

export async function requireRole(trx: Tx, tenantId: string, raw: string, options: LockOption = {}) {
  const id = canonicalId(raw);
  const role: Role | undefined = id ? await findRole(trx, tenantId, id, options) : undefined;
  if (!role) throw roleNotFound();
  return role;
}

/** A live (not deleted) user of the tenant. */
export async function requireUser(
  trx: Tx,
  tenantId: string,
  raw: string,
  options: LockOption = {},
): Promise<{ id: string; status: 'active' | 'deactivated' }> {
  const id = canonicalId(raw);
  if (!id) throw userNotFound();
  let query = trx
    .selectFrom('users')
    .select(['id', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw userNotFound();
  return row;
}

export async function requireGroup(
  trx: Tx,
  tenantId: string,
  raw: string,
  options: LockOption = {},
): Promise<{ id: string; name: string }> {
  const id = canonicalId(raw);
  if (!id) throw groupNotFound();
  let query = trx
    .selectFrom('groups')
    .select(['id', 'name'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw groupNotFound();
  return row;
}
