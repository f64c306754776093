import { sql } from 'kysely';
import { before, DAY_MS, purgeRows } from './batches.ts';
import type { JobDefinition } from './job-types.ts';

export interface OperationalRetention {
  jobRunsDays: number;
  deadLetterDays: number;
  consumedEventsDays: number;
  outboxDays: number;
}

/**
 * The service's own bookkeeping, kept for a while for operators and then dropped: job runs, dead
 * letters nobody replayed, the consumed-event records that make consumers idempotent (a redelivery
 * older than the retention is not expected), and outbox rows already handed to the queue.
 */
export function purgeJobRunsAndDeadLetters(schedule: string, keep: OperationalRetention): JobDefinition {
  return {
    name: 'purge-job-runs-and-dead-letters',
    description:
      'Deletes old job runs, dead letters, consumed-event records and published outbox rows past their retention.',
    schedule,
    scheduleKey: 'JOB_PURGE_JOB_RUNS_AND_DEAD_LETTERS_CRON',
    async run(ctx) {
      const runs = before(ctx.now, keep.jobRunsDays * DAY_MS);
      // A run still marked running after the retention (at least a day) lost its process long ago; the
      // run doing this purge started now, so it is never among them.
      await purgeRows(ctx, 'job_runs', sql`started_at < ${runs}`);
      await purgeRows(ctx, 'dead_letters', sql`failed_at < ${before(ctx.now, keep.deadLetterDays * DAY_MS)}`);
      await purgeRows(
        ctx,
        'consumed_events',
        sql`consumed_at < ${before(ctx.now, keep.consumedEventsDays * DAY_MS)}`,
      );
      // Never an event still waiting for the relay, however old: only published rows go.
      await purgeRows(ctx, 'outbox', sql`published_at < ${before(ctx.now, keep.outboxDays * DAY_MS)}`);
    },
  };
}
