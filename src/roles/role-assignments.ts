import type { Tx } from '../db/index.ts';

/** Names of the roles held by a user (directly; group roles arrive with groups). */
export async function userRoleNames(trx: Tx, tenantId: string, userId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('user_roles')
    .innerJoin('roles', (join) =>
      join.onRef('roles.tenant_id', '=', 'user_roles.tenant_id').onRef('roles.id', '=', 'user_roles.role_id'),
    )
    .select('roles.name')
    .where('user_roles.tenant_id', '=', tenantId)
    .where('user_roles.user_id', '=', userId)
    .execute();
  return rows.map((r) => r.name);
}

export async function assignRole(
  trx: Tx,
  tenantId: string,
  userId: string,
  roleName: string,
  now: string,
): Promise<void> {
  const role = await trx
    .selectFrom('roles')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', roleName)
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('user_roles')
    .values({ tenant_id: tenantId, user_id: userId, role_id: role.id, created_at: now })
    .execute();
}
