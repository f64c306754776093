import { keysetPage, type Tx } from '../db/index.ts';
import type { CursorKey } from '../http/index.ts';
import { type Group, toGroup } from './group-repository.ts';

export interface Member {
  id: string;
  email: string;
  name: string | null;
}

/** Which of these ids belong to live (not deleted) users of the tenant. */
export async function liveUserIds(trx: Tx, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await trx
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Adds the users to the group and returns the ids actually inserted; existing memberships are left
 * alone, so concurrent requests adding the same user both succeed.
 */
export async function insertMembers(
  trx: Tx,
  tenantId: string,
  groupId: string,
  userIds: readonly string[],
  now: string,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await trx
    .insertInto('group_members')
    .values(
      userIds.map((userId) => ({ tenant_id: tenantId, group_id: groupId, user_id: userId, created_at: now })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'group_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/** Removes the users from the group and returns the ids that were members. */
export async function deleteMembers(
  trx: Tx,
  tenantId: string,
  groupId: string,
  userIds: readonly string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await trx
    .deleteFrom('group_members')
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .where('user_id', 'in', userIds)
    .returning('user_id')
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/** Live members of a group, keyset-paginated on user id (UUIDv7, so oldest accounts first). */
export async function listMembers(
  trx: Tx,
  tenantId: string,
  groupId: string,
  options: { limit: number; after?: CursorKey },
): Promise<Member[]> {
  const query = trx
    .selectFrom('group_members as m')
    .innerJoin('users as u', (join) =>
      join.onRef('u.tenant_id', '=', 'm.tenant_id').onRef('u.id', '=', 'm.user_id'),
    )
    .select(['u.id', 'u.email', 'u.name'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.group_id', '=', groupId)
    .where('u.deleted_at', 'is', null);
  return keysetPage(query, { by: ['m.user_id'] }, options).execute();
}

/** The groups a user belongs to, keyset-paginated on group id (UUIDv7, so oldest groups first). */
export async function listGroupsOfUser(
  trx: Tx,
  tenantId: string,
  userId: string,
  options: { limit: number; after?: CursorKey },
): Promise<Group[]> {
  const query = trx
    .selectFrom('group_members as m')
    .innerJoin('groups as g', (join) =>
      join.onRef('g.tenant_id', '=', 'm.tenant_id').onRef('g.id', '=', 'm.group_id'),
    )
    .selectAll('g')
    .where('m.tenant_id', '=', tenantId)
    .where('m.user_id', '=', userId);
  const rows = await keysetPage(query, { by: ['m.group_id'] }, options).execute();
  return rows.map(toGroup);
}
