import { setImmediate as yieldTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import { fromJson } from '../db/index.ts';
import { resolveSettings } from '../tenants/index.ts';
import { before, DAY_MS, forEachTenant, purgeTenantRows } from './batches.ts';
import type { JobContext, JobDefinition } from './job-types.ts';

/**
 * Purges one batch of a tenant's users deleted before `cutoff`; returns how many users it took.
 *
 * Cascades (src/db/migrations): sessions, user_tokens, user_roles, group_members, mfa_credentials (and
 * through them mfa_used_steps), mfa_recovery_codes, mfa_challenges and password_reminders go with the
 * user row. policy_attachments names its target without a foreign key, so it is deleted here; refresh
 * tokens and sessions are deleted first in their own batches, because they are the children that can
 * be numerous, and the user batch is a tenth of the row batch because each user drags a few rows along.
 */
async function purgeUserBatch(ctx: JobContext, tenantId: string, cutoff: string): Promise<number> {
  const { database } = ctx;
  const limit = Math.max(1, Math.floor(ctx.batchSize / 10));
  const rows = await database.withTenant(tenantId, (trx) =>
    trx
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('deleted_at', 'is not', null)
      .where('deleted_at', '<', cutoff)
      .orderBy('deleted_at')
      .limit(limit)
      .execute(),
  );
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return 0;
  const users = sql.join(ids);
  await purgeTenantRows(
    ctx,
    tenantId,
    'refresh_tokens',
    sql`tenant_id = ${tenantId} AND session_id IN (SELECT id FROM sessions WHERE tenant_id = ${tenantId} AND user_id IN (${users}))`,
  );
  await purgeTenantRows(ctx, tenantId, 'sessions', sql`tenant_id = ${tenantId} AND user_id IN (${users})`);
  const removed = await database.withTenant(tenantId, async (trx) => {
    const attachments = await trx
      .deleteFrom('policy_attachments')
      .where('tenant_id', '=', tenantId)
      .where('target_type', '=', 'user')
      .where('target_id', 'in', ids)
      .executeTakeFirst();
    // The retention test again: a user restored since the select above stays.
    const deleted = await trx
      .deleteFrom('users')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .where('deleted_at', 'is not', null)
      .where('deleted_at', '<', cutoff)
      .executeTakeFirst();
    return Number(attachments.numDeletedRows) + Number(deleted.numDeletedRows);
  });
  ctx.progress(removed);
  return ids.length < limit ? 0 : ids.length;
}

/**
 * Users deleted longer ago than their tenant's `users.deleted_retention_days` — exactly those that
 * can no longer be restored — with everything that belongs to them.
 */
export function purgeDeletedUsers(schedule: string): JobDefinition {
  return {
    name: 'purge-deleted-users',
    description:
      "Deletes users deleted longer ago than their tenant's retention, with their sessions, tokens, factors, memberships and policies.",
    schedule,
    scheduleKey: 'JOB_PURGE_DELETED_USERS_CRON',
    async run(ctx) {
      await forEachTenant(ctx, async (tenant) => {
        const settings = resolveSettings(fromJson(tenant.settings));
        const cutoff = before(ctx.now, settings.users.deleted_retention_days * DAY_MS);
        while ((await purgeUserBatch(ctx, tenant.id, cutoff)) > 0) {
          ctx.signal.throwIfAborted();
          await yieldTurn();
        }
      });
    },
  };
}
