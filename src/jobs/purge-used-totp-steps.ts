import { sql } from 'kysely';
import { forEachTenant, purgeTenantRows } from './batches.ts';
import type { JobDefinition } from './job-types.ts';

/**
 * A used TOTP step is kept only while its code could still be replayed inside the verification window
 * (RFC 6238 §5.2); `expires_at` marks the end of that window, after which the row guards nothing.
 */
export function purgeUsedTotpSteps(schedule: string): JobDefinition {
  return {
    name: 'purge-used-totp-steps',
    description: 'Deletes used TOTP steps whose codes can no longer be replayed.',
    schedule,
    scheduleKey: 'JOB_PURGE_USED_TOTP_STEPS_CRON',
    async run(ctx) {
      const now = ctx.now.toISOString();
      await forEachTenant(ctx, async (tenant) => {
        await purgeTenantRows(
          ctx,
          tenant.id,
          'mfa_used_steps',
          sql`tenant_id = ${tenant.id} AND expires_at < ${now}`,
        );
      });
    },
  };
}
