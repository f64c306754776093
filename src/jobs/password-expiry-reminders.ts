import { setImmediate as yieldTurn } from 'node:timers/promises';
import { type ExpressionBuilder, sql } from 'kysely';
import { type DB, fromJson } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { resolveSettings } from '../tenants/index.ts';
import { DAY_MS, forEachTenant } from './batches.ts';
import type { JobContext, JobDefinition } from './job-types.ts';

interface Window {
  /** A password set after this has not expired yet. */
  from: string;
  /** A password set at or before this expires within the reminder period. */
  to: string;
  maxAgeMs: number;
}

// The time the current password was set: users created with a password never changed it.
const passwordSetAt = sql<string>`COALESCE(users.password_changed_at, users.created_at)`;

/** Active users with a password that expires within the window and whose reminder has not gone out. */
function due(tenantId: string, w: Window) {
  return (eb: ExpressionBuilder<DB, 'users'>) =>
    eb.and([
      eb('users.tenant_id', '=', tenantId),
      eb('users.deleted_at', 'is', null),
      eb('users.status', '=', 'active'),
      eb('users.password_hash', 'is not', null),
      eb(passwordSetAt, '>', w.from),
      eb(passwordSetAt, '<=', w.to),
      eb.not(
        eb.exists(
          eb
            .selectFrom('password_reminders as r')
            .select(sql`1`.as('one'))
            .whereRef('r.tenant_id', '=', 'users.tenant_id')
            .whereRef('r.user_id', '=', 'users.id')
            .where('r.password_changed_at', '=', passwordSetAt),
        ),
      ),
    ]);
}

/**
 * One batch, one transaction: the reminder rows and their events commit together, and the reminder
 * row's key (tenant, user, time the password was set) makes a second event for the same password
 * impossible, even from a run racing this one. Walks the users by id, so each batch starts where the
 * last stopped. Returns the last id seen, or null when the tenant is done.
 */
async function remindBatch(
  ctx: JobContext,
  tenantId: string,
  w: Window,
  after: string | null,
): Promise<string | null> {
  const nowIso = ctx.now.toISOString();
  // A parameter in a select list has no type of its own on PostgreSQL.
  const timeType = ctx.database.dialect === 'postgres' ? 'timestamptz' : 'text';
  return ctx.database.withTenant(tenantId, async (trx) => {
    let query = trx
      .selectFrom('users')
      .select(['users.id', 'users.email'])
      .where(due(tenantId, w))
      .orderBy('users.id')
      .limit(ctx.batchSize);
    if (after) query = query.where('users.id', '>', after);
    const candidates = await query.execute();
    if (candidates.length === 0) return null;
    const emails = new Map(candidates.map((c) => [c.id, c.email]));
    // Copied inside the database, so the key is exactly the stored time on both dialects.
    const recorded = await trx
      .insertInto('password_reminders')
      .columns(['tenant_id', 'user_id', 'password_changed_at', 'sent_at'])
      .expression(
        trx
          .selectFrom('users')
          .select([
            'users.tenant_id',
            'users.id',
            passwordSetAt.as('password_changed_at'),
            sql<string>`CAST(${nowIso} AS ${sql.raw(timeType)})`.as('sent_at'),
          ])
          .where(
            'users.id',
            'in',
            candidates.map((c) => c.id),
          )
          .where(due(tenantId, w)),
      )
      .onConflict((oc) => oc.doNothing())
      .returning(['user_id', 'password_changed_at'])
      .execute();
    for (const row of recorded) {
      const expiresAt = new Date(new Date(row.password_changed_at).getTime() + w.maxAgeMs).toISOString();
      await appendEvent(
        trx,
        {
          type: 'user.password_expiry_reminder_due',
          tenantId,
          payload: {
            tenant_id: tenantId,
            user_id: row.user_id,
            email: emails.get(row.user_id) ?? '',
            actor_id: null,
            expires_at: expiresAt,
          },
        },
        ctx.now,
      );
      // A reminder for an earlier password is spent for good: keep one row per user.
      await trx
        .deleteFrom('password_reminders')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', row.user_id)
        .where('password_changed_at', '<>', row.password_changed_at)
        .execute();
    }
    ctx.progress(recorded.length);
    return candidates.length < ctx.batchSize ? null : (candidates.at(-1)?.id ?? null);
  });
}

/**
 * One `user.password_expiry_reminder_due` event per password that expires within its tenant's
 * `password_expiry.reminder_days` (tenants with `max_age_days` > 0), never two for the same password
 * however often the job runs. Passwords already expired get none: the sign-in handles those.
 */
export function passwordExpiryReminders(schedule: string): JobDefinition {
  return {
    name: 'password-expiry-reminders',
    description: 'Emits one reminder event per password that expires within its tenant’s reminder period.',
    schedule,
    scheduleKey: 'JOB_PASSWORD_EXPIRY_REMINDERS_CRON',
    async run(ctx) {
      const now = ctx.now.getTime();
      await forEachTenant(
        ctx,
        async (tenant) => {
          const { max_age_days: maxAgeDays, reminder_days: reminderDays } = resolveSettings(
            fromJson(tenant.settings),
          ).password_expiry;
          if (maxAgeDays <= 0) return;
          const maxAgeMs = maxAgeDays * DAY_MS;
          const w: Window = {
            from: new Date(now - maxAgeMs).toISOString(),
            to: new Date(now - maxAgeMs + reminderDays * DAY_MS).toISOString(),
            maxAgeMs,
          };
          let after: string | null = null;
          do {
            ctx.signal.throwIfAborted();
            after = await remindBatch(ctx, tenant.id, w, after);
            await yieldTurn();
          } while (after !== null);
        },
        ['active'],
      );
    },
  };
}
