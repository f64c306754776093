import { type Kysely, sql } from 'kysely';
import { type DB, keysetPage, startsWith, type Tx } from '../db/index.ts';
import type { CursorKey } from '../http/index.ts';
import type { UserRow } from './user-repository.ts';
import type { ListUsersQuery } from './user-schemas.ts';

type Filters = Omit<ListUsersQuery, 'limit' | 'cursor' | 'sort' | 'count'>;

function filtered(trx: Tx | Kysely<DB>, tenantId: string, f: Filters) {
  let q = trx.selectFrom('users').where('users.tenant_id', '=', tenantId);
  q =
    f.include === 'deleted'
      ? q.where('users.deleted_at', 'is not', null)
      : q.where('users.deleted_at', 'is', null);
  if (f.status) q = q.where('users.status', '=', f.status);
  if (f.email)
    q = q.where(startsWith(sql.ref('users.email_normalized'), f.email.trim().normalize('NFC').toLowerCase()));
  if (f.name) q = q.where(startsWith(sql`lower(${sql.ref('users.name')})`, f.name.toLowerCase()));
  if (f.created_after) q = q.where('users.created_at', '>=', new Date(f.created_after).toISOString());
  if (f.created_before) q = q.where('users.created_at', '<', new Date(f.created_before).toISOString());
  if (f.group) {
    const group = f.group;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('group_members')
          .select('group_members.user_id')
          .whereRef('group_members.tenant_id', '=', 'users.tenant_id')
          .whereRef('group_members.user_id', '=', 'users.id')
          .where('group_members.group_id', '=', group),
      ),
    );
  }
  if (f.role) {
    const role = f.role;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_roles')
          .innerJoin('roles', (j) =>
            j
              .onRef('roles.tenant_id', '=', 'user_roles.tenant_id')
              .onRef('roles.id', '=', 'user_roles.role_id'),
          )
          .select('user_roles.user_id')
          .whereRef('user_roles.tenant_id', '=', 'users.tenant_id')
          .whereRef('user_roles.user_id', '=', 'users.id')
          .where('roles.name', '=', role),
      ),
    );
  }
  return q;
}

/** The sort column of each `sort` value; `id` breaks ties so the keyset is total. */
export const SORT_COLUMN = { created_at: 'created_at', email: 'email_normalized' } as const;

/**
 * Keyset pagination (no OFFSET): the cursor is the last row's (sort value, id), so a deep page costs
 * what the first does, using the (tenant_id, sort column, id) indexes.
 */
export async function listUsers(
  trx: Tx,
  tenantId: string,
  query: ListUsersQuery,
  limit: number,
  after?: CursorKey,
): Promise<UserRow[]> {
  const sort = query.sort ?? 'created_at';
  const desc = sort.startsWith('-');
  const column = SORT_COLUMN[(desc ? sort.slice(1) : sort) as keyof typeof SORT_COLUMN];
  const q = filtered(trx, tenantId, query).selectAll('users');
  return keysetPage(q, { by: [`users.${column}`, 'users.id'], descending: desc }, { limit, after }).execute();
}

export async function countUsers(trx: Tx, tenantId: string, query: Filters): Promise<number> {
  const row = await filtered(trx, tenantId, query)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
