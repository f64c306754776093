import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { type Database, type DB, uuidv7 } from '../db/index.ts';
import type { JobContext, JobDefinition, JobLog, RunResult, RunTrigger } from './job-types.ts';
import { acquireLease, releaseLease, renewLease } from './lease.ts';
import { abandonStaleRuns, finishRun, insertRun, recordProgress } from './run-store.ts';

export interface RunnerDeps {
  database: Database;
  clock: Clock;
  log: JobLog;
  /** Who runs here: names this process in leases and runs. */
  holder: string;
  leaseMs: number;
  renewEveryMs: number;
  batchSize: number;
}

export interface RunRequest {
  trigger: RunTrigger;
  /** The scheduled time, for scheduled runs. */
  slot: string | null;
  actorId: string | null;
}

export interface StartedRun {
  runId: string;
  controller: AbortController;
  /** Settles when the run is over and recorded; never rejects. */
  done: Promise<RunResult>;
}

/**
 * A transaction on PostgreSQL. On SQLite each statement commits on its own instead: the statements
 * here are idempotent one by one, and a transaction spanning awaits would hold the file's write lock
 * while another connection of the same process (as in tests) busy-waits synchronously for it.
 */
function bookkeeping<T>(database: Database, fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  return database.dialect === 'postgres' ? database.transaction(fn) : fn(database.db);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Takes the job's lease and records the run in one transaction, then runs the job in the background.
 * Null when the lease is held (the job is running elsewhere) or this scheduled time was already taken.
 */
export async function startRun(
  deps: RunnerDeps,
  job: JobDefinition,
  request: RunRequest,
): Promise<StartedRun | null> {
  const { database } = deps;
  const runId = uuidv7();
  const startedAt = deps.clock.now().toISOString();
  const acquired = await bookkeeping(database, async (trx) => {
    const lease = { job: job.name, holder: deps.holder, runId, slot: request.slot, leaseMs: deps.leaseMs };
    if (!(await acquireLease(trx, database.dialect, lease))) return false;
    const abandoned = await abandonStaleRuns(trx, job.name, runId, startedAt);
    if (abandoned > 0) deps.log.warn({ job: job.name, abandoned }, 'took over a job whose process died');
    await insertRun(trx, {
      id: runId,
      job: job.name,
      trigger: request.trigger,
      status: 'running',
      holder: deps.holder,
      triggeredBy: request.actorId,
      startedAt,
    });
    return true;
  });
  if (!acquired) return null;
  const controller = new AbortController();
  return { runId, controller, done: execute(deps, job, runId, controller) };
}

/** Records that a run did not start because the job is running (on this process or another). */
export async function recordSkip(
  deps: RunnerDeps,
  job: JobDefinition,
  trigger: RunTrigger,
  reason: string,
): Promise<RunResult> {
  const runId = uuidv7();
  await insertRun(deps.database.db, {
    id: runId,
    job: job.name,
    trigger,
    status: 'skipped',
    holder: deps.holder,
    triggeredBy: null,
    startedAt: deps.clock.now().toISOString(),
    error: reason,
  });
  deps.log.info({ job: job.name, run_id: runId, reason }, 'job skipped');
  return { runId, status: 'skipped', rows: 0, error: reason };
}

async function execute(
  deps: RunnerDeps,
  job: JobDefinition,
  runId: string,
  controller: AbortController,
): Promise<RunResult> {
  const { database, log } = deps;
  const began = performance.now();
  let rows = 0;
  let batches = 0;
  const ctx: JobContext = {
    database,
    now: deps.clock.now(),
    batchSize: deps.batchSize,
    signal: controller.signal,
    progress(changed) {
      rows += changed;
      if (changed > 0) batches += 1;
    },
  };
  // The lease is renewed on a timer, not between batches, so that one slow statement cannot let it
  // lapse; a renewal that finds the lease gone (taken over after a stall) stops the run at its next batch.
  let lastRenewed = performance.now();
  let renewing = false;
  const renew = async () => {
    if (renewing) return;
    renewing = true;
    try {
      if (await renewLease(database.db, database.dialect, job.name, runId, deps.leaseMs)) {
        lastRenewed = performance.now();
        await recordProgress(database.db, runId, rows, batches);
      } else {
        controller.abort(new Error('lease lost: another process took the job over'));
      }
    } catch (error) {
      log.warn({ job: job.name, run_id: runId, err: error }, 'job lease renewal failed');
      if (performance.now() - lastRenewed > deps.leaseMs) {
        controller.abort(new Error('lease lapsed: it could not be renewed'));
      }
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void renew(), deps.renewEveryMs);
  timer.unref();
  log.info({ job: job.name, run_id: runId }, 'job started');
  let error: string | null = null;
  try {
    await job.run(ctx);
  } catch (thrown) {
    error = messageOf(controller.signal.aborted ? controller.signal.reason : thrown);
  } finally {
    clearInterval(timer);
  }
  const status = error === null ? 'succeeded' : 'failed';
  try {
    await bookkeeping(database, async (trx) => {
      await finishRun(trx, runId, {
        status,
        finishedAt: deps.clock.now().toISOString(),
        rows,
        batches,
        error,
      });
      await releaseLease(trx, job.name, runId);
    });
  } catch (recordError) {
    // The lease lapses by itself; the run stays "running" until the next taker marks it abandoned.
    log.error({ job: job.name, run_id: runId, err: recordError }, 'could not record the end of a job run');
  }
  const fields = { job: job.name, run_id: runId, rows, batches, ms: Math.round(performance.now() - began) };
  if (error === null) log.info(fields, 'job succeeded');
  else log.error({ ...fields, error }, 'job failed');
  return { runId, status, rows, ...(error === null ? {} : { error }) };
}
