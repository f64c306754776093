import { sql } from 'kysely';
import type { Database } from '../db/index.ts';

/**
 * Tables holding tenant rows, children before the parents they reference, so each delete finds
 * nothing left that points at its rows.
 */
export const TENANT_TABLE_ORDER: readonly string[] = [
  'refresh_tokens',
  'sessions',
  'mfa_used_steps',
  'mfa_challenges',
  'mfa_recovery_codes',
  'mfa_credentials',
  'password_reminders',
  'user_tokens',
  'group_members',
  'group_roles',
  'user_roles',
  'policy_attachments',
  'policy_versions',
  'policies',
  'groups',
  'roles',
  'users',
  'clients',
  'signing_keys',
  'webhooks',
  'revocations',
  'outbox',
  'dead_letters',
];

/** Every table of the database with a `tenant_id` column, as the catalogue lists it. */
export async function tablesWithTenantId(database: Database): Promise<string[]> {
  const query =
    database.dialect === 'postgres'
      ? sql<{ name: string }>`SELECT table_name AS name FROM information_schema.columns
          WHERE table_schema = current_schema() AND column_name = 'tenant_id' ORDER BY table_name`
      : sql<{ name: string }>`SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) p
          WHERE m.type = 'table' AND p.name = 'tenant_id' ORDER BY m.name`;
  return (await query.execute(database.db)).rows.map((r) => r.name);
}

/**
 * The order in which a tenant's rows are purged: a table added by a later release and missing from
 * the list above still gets purged, ahead of the known ones (a new table references the old ones,
 * rarely the other way round), so a purge never leaves a tenant's rows behind unnoticed.
 */
export async function tenantTablesInPurgeOrder(database: Database): Promise<string[]> {
  const present = await tablesWithTenantId(database);
  const unknown = present.filter((t) => !TENANT_TABLE_ORDER.includes(t));
  return [...unknown, ...TENANT_TABLE_ORDER.filter((t) => present.includes(t))];
}
