import { setImmediate as yieldTurn } from 'node:timers/promises';
import { type RawBuilder, sql } from 'kysely';
import { before, forEachTenant, HOUR_MS, purgeRows, purgeTenantRows } from './batches.ts';
import type { JobContext, JobDefinition } from './job-types.ts';

/**
 * Deletes sessions matching `ended` a batch at a time, each batch's refresh tokens first: the tokens
 * would go by cascade, but a long-lived session can hold thousands of rotated tokens, and deleting
 * them in their own bounded batches keeps every transaction short.
 */
async function purgeSessions(ctx: JobContext, tenantId: string, ended: RawBuilder<boolean>): Promise<void> {
  const { database } = ctx;
  for (;;) {
    ctx.signal.throwIfAborted();
    const rows = await database.withTenant(tenantId, (trx) =>
      trx
        .selectFrom('sessions')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where(ended)
        .limit(ctx.batchSize)
        .execute(),
    );
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return;
    await purgeTenantRows(
      ctx,
      tenantId,
      'refresh_tokens',
      sql`tenant_id = ${tenantId} AND session_id IN (${sql.join(ids)})`,
    );
    const deleted = await database.withTenant(tenantId, (trx) =>
      trx
        .deleteFrom('sessions')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', ids)
        .where(ended)
        .executeTakeFirst(),
    );
    const count = Number(deleted.numDeletedRows);
    ctx.progress(count);
    if (ids.length < ctx.batchSize || count === 0) return;
    await yieldTurn();
  }
}

/**
 * Token records that can no longer matter: revocation entries past the expiry of what they revoke,
 * sessions (with their refresh tokens) that ended — revoked, idle or past their absolute lifetime —
 * longer ago than the grace, and MFA challenges that were used or expired.
 */
export function purgeExpiredTokens(
  schedule: string,
  graceHours: number,
  mfaFailureWindowSeconds: number,
): JobDefinition {
  return {
    name: 'purge-expired-tokens',
    description:
      'Deletes expired revocation entries, sessions that ended (with their refresh tokens) and spent MFA challenges.',
    schedule,
    scheduleKey: 'JOB_PURGE_EXPIRED_TOKENS_CRON',
    async run(ctx) {
      const now = ctx.now.toISOString();
      const cutoff = before(ctx.now, Math.max(graceHours * HOUR_MS, 0));
      // Wrong codes per account are summed over the challenges created within the failure window:
      // deleting one sooner would reset that count and reopen guessing.
      const challengeCutoff = before(ctx.now, Math.max(graceHours * HOUR_MS, mfaFailureWindowSeconds * 1000));
      // A revocation entry only has to outlive the tokens it revokes; it spans tenants (no row policy).
      await purgeRows(ctx, 'revocations', sql`expires_at < ${now}`);
      await forEachTenant(ctx, async (tenant) => {
        const id = tenant.id;
        // One pass per way a session ends, each walking its own index.
        await purgeSessions(ctx, id, sql<boolean>`expires_at < ${cutoff}`);
        await purgeSessions(ctx, id, sql<boolean>`idle_expires_at < ${cutoff}`);
        await purgeSessions(ctx, id, sql<boolean>`revoked_at < ${cutoff}`);
        await purgeTenantRows(
          ctx,
          id,
          'mfa_challenges',
          sql`tenant_id = ${id} AND expires_at < ${challengeCutoff}`,
        );
        await purgeTenantRows(
          ctx,
          id,
          'mfa_challenges',
          sql`tenant_id = ${id} AND used_at < ${challengeCutoff} AND created_at < ${challengeCutoff}`,
        );
      });
    },
  };
}
