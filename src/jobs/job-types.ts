import type { Database } from '../db/index.ts';

export type RunTrigger = 'schedule' | 'manual' | 'command';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

/** What a job gets for one run. */
export interface JobContext {
  readonly database: Database;
  /**
   * "Now" for what the job removes or reminds of, from the injected clock, read once when the run
   * starts: every batch of a run draws the same line, so a long run does not chase a moving cut-off.
   */
  readonly now: Date;
  /** Rows per transaction: each batch commits on its own, so no lock is held for long. */
  readonly batchSize: number;
  /** Aborted when the lease is lost or the process stops; jobs check it between batches. */
  readonly signal: AbortSignal;
  /** Counts the rows one committed batch changed (shown on the run while it goes on). */
  progress(rows: number): void;
}

export interface JobDefinition {
  /** Kebab-case name, as in the API and `npm run job -- <name>`. */
  readonly name: string;
  readonly description: string;
  /** Cron expression, evaluated in UTC. */
  readonly schedule: string;
  /** The configuration key that sets the schedule, named in errors. */
  readonly scheduleKey?: string;
  run(ctx: JobContext): Promise<void>;
}

/** The outcome of one attempt to run a job. */
export interface RunResult {
  /** Null when nothing was recorded (another process already took this scheduled time). */
  runId: string | null;
  status: RunStatus;
  rows: number;
  error?: string;
}

/** The part of pino (Fastify's logger) the scheduler uses. */
export interface JobLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
