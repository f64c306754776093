import { sql } from 'kysely';
import { PLATFORM_SLUG } from '../tenants/index.ts';
import { before, DAY_MS, purgeTenantRows } from './batches.ts';
import type { JobDefinition } from './job-types.ts';
import { tenantTablesInPurgeOrder } from './tenant-tables.ts';

/**
 * Tenants deleted longer ago than the retention, with all their data: every table with a `tenant_id`,
 * a batch per transaction inside `withTenant` (row-level security on PostgreSQL), then the tenant row,
 * which frees its slug. A run interrupted half-way leaves the tenant row, so the next run finishes it.
 */
export function purgeDeletedTenants(schedule: string, retentionDays: number): JobDefinition {
  return {
    name: 'purge-deleted-tenants',
    description:
      'Deletes tenants deleted longer ago than the retention, with all their data, and frees their slugs.',
    schedule,
    scheduleKey: 'JOB_PURGE_DELETED_TENANTS_CRON',
    async run(ctx) {
      const { database } = ctx;
      const cutoff = before(ctx.now, retentionDays * DAY_MS);
      const tenants = await database.db
        .selectFrom('tenants')
        .select('id')
        .where('status', '=', 'deleted')
        .where('deleted_at', 'is not', null)
        .where('deleted_at', '<', cutoff)
        .where('slug', '<>', PLATFORM_SLUG)
        .orderBy('deleted_at')
        .execute();
      if (tenants.length === 0) return;
      const tables = await tenantTablesInPurgeOrder(database);
      for (const { id } of tenants) {
        for (const table of tables) {
          await purgeTenantRows(ctx, id, table, sql`tenant_id = ${id}`);
        }
        ctx.signal.throwIfAborted();
        const deleted = await database.transaction((trx) =>
          trx.deleteFrom('tenants').where('id', '=', id).where('status', '=', 'deleted').executeTakeFirst(),
        );
        ctx.progress(Number(deleted.numDeletedRows));
      }
    },
  };
}
