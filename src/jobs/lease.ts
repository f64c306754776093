import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB, Dialect } from '../db/index.ts';

// A released lease expires at the epoch, so the next taker needs no special case.
const RELEASED = '1970-01-01T00:00:00.000Z';

/**
 * The database's clock, `offsetMs` ahead. Leases are compared against one clock that every replica
 * shares, so a replica whose own clock drifts cannot take a live lease early. On SQLite the text
 * matches `Date.prototype.toISOString`, so stored ISO times compare as strings.
 */
export function databaseNow(dialect: Dialect, offsetMs = 0): RawBuilder<string> {
  if (!Number.isInteger(offsetMs)) throw new Error('lease offsets are whole milliseconds');
  return dialect === 'postgres'
    ? sql<string>`(clock_timestamp() + ${sql.raw(`interval '${offsetMs} milliseconds'`)})`
    : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${sql.lit(`${offsetMs / 1000} seconds`)})`;
}

export interface LeaseRequest {
  job: string;
  holder: string;
  runId: string;
  /** The scheduled time this run is for; null for a manual run, which claims no scheduled time. */
  slot: string | null;
  leaseMs: number;
}

/**
 * Takes the job's lease in one statement, atomic on both dialects: inserted when the job has no row,
 * taken over only when the current lease has expired (its holder finished or died) and, for a
 * scheduled run, only when no process has claimed this scheduled time yet. True when taken.
 */
export async function acquireLease(db: Kysely<DB>, dialect: Dialect, r: LeaseRequest): Promise<boolean> {
  const now = databaseNow(dialect);
  const until = databaseNow(dialect, r.leaseMs);
  const result = await sql<{ run_id: string }>`
    INSERT INTO job_leases (job, holder, run_id, slot, acquired_at, expires_at)
    VALUES (${r.job}, ${r.holder}, ${r.runId}, ${r.slot}, ${now}, ${until})
    ON CONFLICT (job) DO UPDATE SET
      holder = excluded.holder,
      run_id = excluded.run_id,
      slot = COALESCE(excluded.slot, job_leases.slot),
      acquired_at = excluded.acquired_at,
      expires_at = excluded.expires_at
    WHERE job_leases.expires_at <= ${now}
      AND (excluded.slot IS NULL OR job_leases.slot IS NULL OR job_leases.slot < excluded.slot)
    RETURNING run_id`.execute(db);
  return result.rows.length === 1;
}

/** Extends a lease this run still holds; false when it was lost (taken over after it lapsed). */
export async function renewLease(
  db: Kysely<DB>,
  dialect: Dialect,
  job: string,
  runId: string,
  leaseMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('job_leases')
    .set({ expires_at: databaseNow(dialect, leaseMs) })
    .where('job', '=', job)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the lease up at once, so the next scheduled time (or a manual run) need not wait for it to lapse. */
export async function releaseLease(db: Kysely<DB>, job: string, runId: string): Promise<void> {
  await db
    .updateTable('job_leases')
    .set({ expires_at: RELEASED })
    .where('job', '=', job)
    .where('run_id', '=', runId)
    .execute();
}

/**
 * Marks a scheduled time as handled without running the job (it is still running from an earlier
 * time). True for the one process that claims it, so a skipped time is recorded once, not once per replica.
 */
export async function claimSlot(db: Kysely<DB>, job: string, slot: string): Promise<boolean> {
  const result = await db
    .updateTable('job_leases')
    .set({ slot })
    .where('job', '=', job)
    .where((eb) => eb.or([eb('slot', 'is', null), eb('slot', '<', slot)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface LeaseState {
  job: string;
  holder: string;
  runId: string | null;
  live: boolean;
}

/** Every job's lease, and whether it is held now (by the database's clock). */
export async function leaseStates(db: Kysely<DB>, dialect: Dialect): Promise<LeaseState[]> {
  const rows = await db
    .selectFrom('job_leases')
    .select(['job', 'holder', 'run_id'])
    .select(
      sql<number | boolean>`CASE WHEN expires_at > ${databaseNow(dialect)} THEN 1 ELSE 0 END`.as('live'),
    )
    .execute();
  return rows.map((r) => ({ job: r.job, holder: r.holder, runId: r.run_id, live: Number(r.live) === 1 }));
}
