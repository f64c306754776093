import { sql } from 'kysely';
import { before, forEachTenant, HOUR_MS, purgeTenantRows } from './batches.ts';
import type { JobDefinition } from './job-types.ts';

/**
 * Email links (verification, password reset, invitation) that can no longer be used: expired, used
 * or superseded by a newer link, longer ago than the grace, which keeps a just-used link's record
 * around for support questions ("the link said it was already used").
 */
export function purgeExpiredLinks(schedule: string, graceHours: number): JobDefinition {
  return {
    name: 'purge-expired-links',
    description: 'Deletes email links that expired, were used or were superseded longer ago than the grace.',
    schedule,
    scheduleKey: 'JOB_PURGE_EXPIRED_LINKS_CRON',
    async run(ctx) {
      const cutoff = before(ctx.now, Math.max(graceHours * HOUR_MS, 0));
      await forEachTenant(ctx, async (tenant) => {
        const id = tenant.id;
        // The expiry pass walks the (tenant_id, expires_at) index; used and superseded links expire
        // within days anyway (link lifetimes are at most 30 days), so the second pass scans few rows.
        await purgeTenantRows(ctx, id, 'user_tokens', sql`tenant_id = ${id} AND expires_at < ${cutoff}`);
        await purgeTenantRows(
          ctx,
          id,
          'user_tokens',
          sql`tenant_id = ${id} AND (used_at < ${cutoff} OR superseded_at < ${cutoff})`,
        );
      });
    },
  };
}
