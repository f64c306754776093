import { type DB, fromBool, fromJson, isUniqueViolation, keysetPage, type Tx, toJson } from '../db/index.ts';
import { AppError, type CursorKey } from '../http/index.ts';
import { grantedBy } from './role-permissions.ts';

export interface Role {
  id: string;
  name: string;
  description: string;
  /** What the role grants (for system roles: from code, see `grantedBy`). */
  permissions: string[];
  system: boolean;
  createdAt: string;
  updatedAt: string;
}

type Row = DB['roles'];

export function toRole(row: Row): Role {
  const base = {
    name: row.name,
    system: fromBool(row.system),
    permissions: fromJson<string[]>(row.permissions),
  };
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    permissions: grantedBy(base),
    system: base.system,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function nameTaken(name: string): AppError {
  return new AppError('IAM_ERR_ROLE_NAME_TAKEN', `Another role is already named "${name}".`);
}

export async function insertRole(trx: Tx, tenantId: string, role: Role): Promise<void> {
  try {
    await trx
      .insertInto('roles')
      .values({
        tenant_id: tenantId,
        id: role.id,
        name: role.name,
        description: role.description,
        permissions: toJson(role.permissions),
        system: false,
        created_at: role.createdAt,
        updated_at: role.updatedAt,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(role.name);
    throw error;
  }
}

/**
 * A role by (canonical) id. `forUpdate` (PostgreSQL; SQLite has one writer at a time) locks the row
 * so a concurrent delete cannot slip between this read and an assignment that references it.
 */
export async function findRole(
  trx: Tx,
  tenantId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Role | undefined> {
  let query = trx.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toRole(row);
}

/** Keyset pagination on the id: UUIDv7 ids sort by creation, and the primary key serves the order. */
export async function listRoles(
  trx: Tx,
  tenantId: string,
  options: { limit: number; after?: CursorKey },
): Promise<Role[]> {
  const query = trx.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId);
  const rows = await keysetPage(query, { by: ['id'] }, options).execute();
  return rows.map(toRole);
}

export async function updateRole(trx: Tx, tenantId: string, role: Role): Promise<void> {
  try {
    await trx
      .updateTable('roles')
      .set({
        name: role.name,
        description: role.description,
        permissions: toJson(role.permissions),
        updated_at: role.updatedAt,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', role.id)
      .where('system', '=', false)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(role.name);
    throw error;
  }
}

/**
 * Deletes a custom role. Its user and group assignments go with it (foreign keys `ON DELETE
 * CASCADE`); policy attachments name their target without a foreign key (the target may be a role,
 * a group or a user), so the ones naming this role are deleted here, in the same transaction.
 */
export async function deleteRole(trx: Tx, tenantId: string, id: string): Promise<void> {
  await trx
    .deleteFrom('policy_attachments')
    .where('tenant_id', '=', tenantId)
    .where('target_type', '=', 'role')
    .where('target_id', '=', id)
    .execute();
  await trx
    .deleteFrom('roles')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('system', '=', false)
    .execute();
}
