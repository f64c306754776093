import type { Kysely, Selectable } from 'kysely';
import { type DB, keysetPage } from '../db/index.ts';
import type { RunStatus, RunTrigger } from './job-types.ts';

export type JobRun = Selectable<DB['job_runs']>;
export type RunKey = readonly [string, string];

export const runKey = (run: JobRun): RunKey => [run.started_at, run.id];

// Error texts come from drivers and jobs; a bound keeps one bad run from bloating the table.
const MAX_ERROR_LENGTH = 2000;

export interface NewRun {
  id: string;
  job: string;
  trigger: RunTrigger;
  status: RunStatus;
  holder: string;
  triggeredBy: string | null;
  startedAt: string;
  error?: string;
}

export async function insertRun(db: Kysely<DB>, run: NewRun): Promise<void> {
  const done = run.status !== 'running';
  await db
    .insertInto('job_runs')
    .values({
      id: run.id,
      job: run.job,
      trigger: run.trigger,
      status: run.status,
      holder: run.holder,
      triggered_by: run.triggeredBy,
      started_at: run.startedAt,
      finished_at: done ? run.startedAt : null,
      error: run.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
    })
    .execute();
}

export async function recordProgress(
  db: Kysely<DB>,
  id: string,
  rows: number,
  batches: number,
): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ rows_affected: rows, batches })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute();
}

export interface RunOutcome {
  status: 'succeeded' | 'failed';
  finishedAt: string;
  rows: number;
  batches: number;
  error: string | null;
}

export async function finishRun(db: Kysely<DB>, id: string, outcome: RunOutcome): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({
      status: outcome.status,
      finished_at: outcome.finishedAt,
      rows_affected: outcome.rows,
      batches: outcome.batches,
      error: outcome.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Closes the runs of a job left "running" by a holder that died: called by the run that has just taken
 * the lease over, which proves no other run of the job is alive.
 */
export async function abandonStaleRuns(
  db: Kysely<DB>,
  job: string,
  exceptId: string,
  at: string,
): Promise<number> {
  const result = await db
    .updateTable('job_runs')
    .set({ status: 'failed', finished_at: at, error: 'abandoned: its process stopped renewing the lease' })
    .where('job', '=', job)
    .where('status', '=', 'running')
    .where('id', '<>', exceptId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A job's runs, newest first, `limit + 1` of them for the page builder. */
export async function listRuns(
  db: Kysely<DB>,
  job: string,
  limit: number,
  after?: RunKey,
): Promise<JobRun[]> {
  const query = db.selectFrom('job_runs').selectAll().where('job', '=', job);
  return keysetPage(query, { by: ['started_at', 'id'], descending: true }, { limit, after }).execute();
}

export async function lastRun(db: Kysely<DB>, job: string): Promise<JobRun | undefined> {
  return (await listRuns(db, job, 0))[0];
}

export async function findRun(db: Kysely<DB>, id: string): Promise<JobRun | undefined> {
  return db.selectFrom('job_runs').selectAll().where('id', '=', id).executeTakeFirst();
}
