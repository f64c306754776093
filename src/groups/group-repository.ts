import { sql } from 'kysely';
import { type DB, isUniqueViolation, keysetPage, startsWith, type Tx } from '../db/index.ts';
import { AppError, type CursorKey } from '../http/index.ts';

export interface Group {
  id: string;
  name: string;
  nameNormalized: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

type Row = DB['groups'];

export function toGroup(row: Row): Group {
  return {
    id: row.id,
    name: row.name,
    nameNormalized: row.name_normalized,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function nameTaken(name: string): AppError {
  return new AppError('IAM_ERR_GROUP_NAME_TAKEN', `Another group is already named "${name}".`);
}

export async function insertGroup(trx: Tx, tenantId: string, group: Group): Promise<void> {
  try {
    await trx
      .insertInto('groups')
      .values({
        tenant_id: tenantId,
        id: group.id,
        name: group.name,
        name_normalized: group.nameNormalized,
        description: group.description,
        created_at: group.createdAt,
        updated_at: group.updatedAt,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(group.name);
    throw error;
  }
}

/**
 * A group by id. `forUpdate` (PostgreSQL only; SQLite runs one writer at a time) locks the row until
 * the transaction ends, so a concurrent delete cannot slip between this read and the writes after it.
 */
export async function findGroup(
  trx: Tx,
  tenantId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Group | undefined> {
  let query = trx.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toGroup(row);
}

export async function listGroups(
  trx: Tx,
  tenantId: string,
  options: { limit: number; after?: CursorKey; namePrefix?: string },
): Promise<Group[]> {
  let query = trx.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId);
  if (options.namePrefix !== undefined) {
    query = query.where(startsWith(sql.ref('name_normalized'), options.namePrefix));
  }
  const rows = await keysetPage(query, { by: ['created_at', 'id'] }, options).execute();
  return rows.map(toGroup);
}

export async function updateGroup(trx: Tx, tenantId: string, group: Group): Promise<void> {
  try {
    await trx
      .updateTable('groups')
      .set({
        name: group.name,
        name_normalized: group.nameNormalized,
        description: group.description,
        updated_at: group.updatedAt,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', group.id)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(group.name);
    throw error;
  }
}

/** Deletes a group; its memberships go with it (foreign key `ON DELETE CASCADE`). */
export async function deleteGroup(trx: Tx, tenantId: string, id: string): Promise<boolean> {
  const result = await trx
    .deleteFrom('groups')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
