import type { Tx } from '../db/index.ts';
import { type Role, toRole } from './role-repository.ts';

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

// Assignments are sets: adding a held role or removing one not held changes nothing, so each
// function answers whether a row was actually written, and callers emit events only when it was.

export async function addUserRole(
  trx: Tx,
  tenantId: string,
  userId: string,
  roleId: string,
  now: string,
): Promise<boolean> {
  const rows = await trx
    .insertInto('user_roles')
    .values({ tenant_id: tenantId, user_id: userId, role_id: roleId, created_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'role_id']).doNothing())
    .returning('role_id')
    .execute();
  return rows.length > 0;
}

export async function removeUserRole(
  trx: Tx,
  tenantId: string,
  userId: string,
  roleId: string,
): Promise<boolean> {
  const rows = await trx
    .deleteFrom('user_roles')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('role_id', '=', roleId)
    .returning('role_id')
    .execute();
  return rows.length > 0;
}

export async function addGroupRole(
  trx: Tx,
  tenantId: string,
  groupId: string,
  roleId: string,
  now: string,
): Promise<boolean> {
  const rows = await trx
    .insertInto('group_roles')
    .values({ tenant_id: tenantId, group_id: groupId, role_id: roleId, created_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'group_id', 'role_id']).doNothing())
    .returning('role_id')
    .execute();
  return rows.length > 0;
}

export async function removeGroupRole(
  trx: Tx,
  tenantId: string,
  groupId: string,
  roleId: string,
): Promise<boolean> {
  const rows = await trx
    .deleteFrom('group_roles')
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .where('role_id', '=', roleId)
    .returning('role_id')
    .execute();
  return rows.length > 0;
}

/** The roles given to a group, by id. */
export async function rolesOfGroup(trx: Tx, tenantId: string, groupId: string): Promise<Role[]> {
  const rows = await trx
    .selectFrom('group_roles')
    .innerJoin('roles', (j) =>
      j.onRef('roles.tenant_id', '=', 'group_roles.tenant_id').onRef('roles.id', '=', 'group_roles.role_id'),
    )
    .selectAll('roles')
    .where('group_roles.tenant_id', '=', tenantId)
    .where('group_roles.group_id', '=', groupId)
    .orderBy('roles.id')
    .execute();
  return rows.map(toRole);
}

export interface GroupRef {
  id: string;
  name: string;
}

/** A role a user holds: directly, through groups, or both. */
export interface HeldRole {
  role: Role;
  direct: boolean;
  /** The user's groups that hold the role, by group id. */
  groups: GroupRef[];
}

export interface SubjectRoles {
  /** Every group the user is a member of, by id. */
  groups: GroupRef[];
  /** Every role the user holds, by role id. */
  roles: HeldRole[];
}

/** The user's groups and every role they hold, directly or through those groups (three indexed reads). */
export async function subjectRoles(trx: Tx, tenantId: string, userId: string): Promise<SubjectRoles> {
  const direct = await trx
    .selectFrom('user_roles')
    .innerJoin('roles', (j) =>
      j.onRef('roles.tenant_id', '=', 'user_roles.tenant_id').onRef('roles.id', '=', 'user_roles.role_id'),
    )
    .selectAll('roles')
    .where('user_roles.tenant_id', '=', tenantId)
    .where('user_roles.user_id', '=', userId)
    .execute();
  const groups = await trx
    .selectFrom('group_members')
    .innerJoin('groups', (j) =>
      j
        .onRef('groups.tenant_id', '=', 'group_members.tenant_id')
        .onRef('groups.id', '=', 'group_members.group_id'),
    )
    .select(['groups.id', 'groups.name'])
    .where('group_members.tenant_id', '=', tenantId)
    .where('group_members.user_id', '=', userId)
    .orderBy('groups.id')
    .execute();
  const inherited =
    groups.length === 0
      ? []
      : await trx
          .selectFrom('group_roles')
          .innerJoin('roles', (j) =>
            j
              .onRef('roles.tenant_id', '=', 'group_roles.tenant_id')
              .onRef('roles.id', '=', 'group_roles.role_id'),
          )
          .selectAll('roles')
          .select('group_roles.group_id')
          .where('group_roles.tenant_id', '=', tenantId)
          .where(
            'group_roles.group_id',
            'in',
            groups.map((g) => g.id),
          )
          .execute();
  const held = new Map<string, HeldRole>();
  const hold = (row: (typeof direct)[number]): HeldRole => {
    let entry = held.get(row.id);
    if (!entry) {
      entry = { role: toRole(row), direct: false, groups: [] };
      held.set(row.id, entry);
    }
    return entry;
  };
  for (const row of direct) hold(row).direct = true;
  const groupById = new Map(groups.map((g) => [g.id, g]));
  for (const row of inherited) {
    const group = groupById.get(row.group_id);
    if (group) hold(row).groups.push(group);
  }
  const roles = [...held.values()].sort((a, b) => (a.role.id < b.role.id ? -1 : 1));
  for (const entry of roles) entry.groups.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { groups, roles };
}
