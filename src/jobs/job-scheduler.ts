import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import { AppError } from '../http/index.ts';
import { createJobCatalogue, type JobConfig } from './job-catalogue.ts';
import { type RunnerDeps, recordSkip, type StartedRun, startRun } from './job-runner.ts';
import type { JobDefinition, JobLog, RunResult, RunTrigger } from './job-types.ts';
import { claimSlot, leaseStates } from './lease.ts';
import { type JobRun, lastRun, listRuns, type RunKey } from './run-store.ts';

export interface JobSchedulerOptions {
  database: Database;
  /** Drives "now" for what the jobs delete; the schedule itself follows real time. */
  clock: Clock;
  config: JobConfig;
  log: JobLog;
  /** Replaces the catalogue (tests). */
  jobs?: readonly JobDefinition[];
  /** Names this process in leases; unique per process by default. */
  holder?: string;
  /** How often a running job renews its lease; a third of the lease by default. */
  renewEveryMs?: number;
}

export interface JobSummary {
  name: string;
  description: string;
  schedule: string;
  /** Next scheduled time, or null when this process does not schedule jobs. */
  nextRunAt: string | null;
  /** A process holds the job's lease now. */
  running: boolean;
  lastRun: JobRun | null;
}

export interface JobScheduler {
  /** Whether `start` schedules the jobs in this process (JOBS_ENABLED). */
  readonly enabled: boolean;
  readonly holder: string;
  names(): string[];
  /** Schedules every job (when enabled). */
  start(): Promise<void>;
  /** Stops scheduling and interrupts running jobs at their next batch; resolves when they are recorded. */
  stop(): Promise<void>;
  list(): Promise<JobSummary[]>;
  /** Runs of a job, newest first, `limit + 1` for the page builder. */
  runs(name: string, limit: number, after?: RunKey): Promise<JobRun[]>;
  /** Starts a job now in the background and returns its run id (HTTP: 202). */
  runNow(name: string, actorId: string | null): Promise<string>;
  /** Runs a job now and waits for it (`npm run job`); skipped when it is running elsewhere. */
  runOnce(name: string, trigger?: RunTrigger): Promise<RunResult>;
  /** What the schedule does at a scheduled time: run once across all processes, or skip. */
  tick(name: string, slot: Date): Promise<RunResult>;
  /** Resolves when every run started by this process is over. */
  settled(): Promise<void>;
}

/** Parses a job's cron expression (UTC), naming the setting when it is invalid. */
function compile(job: JobDefinition): Cron {
  try {
    return new Cron(job.schedule, { timezone: 'UTC', paused: true });
  } catch (error) {
    const where = job.scheduleKey ?? `job ${job.name}`;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${where}: invalid cron expression ${JSON.stringify(job.schedule)} (${reason})`);
  }
}

/** The scheduled time a firing belongs to: the same on every replica, whatever each one's timer lag. */
function slotOf(cron: Cron): Date {
  return cron.previousRuns(1, new Date(Date.now() + 1))[0] ?? new Date();
}

/**
 * Runs each job on its cron schedule on exactly one process across workers and replicas: a lease row
 * in the database, taken atomically, renewed while the job runs and taken over when its holder dies.
 * Invalid schedules stop it at construction, so the service refuses to start with the setting named.
 */
export function createJobScheduler(options: JobSchedulerOptions): JobScheduler {
  const { database, config, log } = options;
  const jobs = options.jobs ?? createJobCatalogue(config);
  const compiled = new Map(jobs.map((job) => [job.name, compile(job)]));
  const leaseMs = config.JOB_LEASE_SECONDS * 1000;
  const deps: RunnerDeps = {
    database,
    clock: options.clock,
    log,
    holder: options.holder ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    leaseMs,
    renewEveryMs: options.renewEveryMs ?? Math.floor(leaseMs / 3),
    batchSize: config.JOB_BATCH_SIZE,
  };
  const running = new Map<string, StartedRun>();
  const timers: Cron[] = [];
  let stopping = false;

  const find = (name: string): JobDefinition => {
    const job = jobs.find((j) => j.name === name);
    if (!job) throw new AppError('IAM_ERR_JOB_NOT_FOUND', `No job is named ${JSON.stringify(name)}.`);
    return job;
  };
  const track = (job: JobDefinition, started: StartedRun): StartedRun => {
    running.set(job.name, started);
    void started.done.finally(() => running.delete(job.name));
    return started;
  };
  // Lease attempts under way, so that `stop` can wait for a run that starts while it stops.
  const starting = new Set<Promise<unknown>>();
  const begin = async (
    job: JobDefinition,
    trigger: RunTrigger,
    slot: string | null,
    actorId: string | null,
  ) => {
    if (stopping || running.has(job.name)) return null;
    const attempt = startRun(deps, job, { trigger, slot, actorId });
    starting.add(attempt);
    try {
      const started = await attempt;
      if (!started) return null;
      if (stopping) started.controller.abort(new Error('interrupted: the process is stopping'));
      return track(job, started);
    } finally {
      starting.delete(attempt);
    }
  };

  const tick = async (name: string, slot: Date): Promise<RunResult> => {
    const job = find(name);
    const at = slot.toISOString();
    const started = await begin(job, 'schedule', at, null);
    if (started) return started.done;
    if (stopping) return { runId: null, status: 'skipped', rows: 0 };
    // Not started: the lease is held, or another process already ran this time. Only in the first case
    // does one process (the one that claims the time) record the skip.
    if (await claimSlot(database.db, name, at)) {
      return recordSkip(deps, job, 'schedule', `the run of an earlier time was still going at ${at}`);
    }
    return { runId: null, status: 'skipped', rows: 0 };
  };

  return {
    enabled: config.JOBS_ENABLED,
    holder: deps.holder,
    names: () => jobs.map((j) => j.name),

    async start() {
      if (!config.JOBS_ENABLED) {
        log.info({}, 'scheduled jobs are off in this process (JOBS_ENABLED=false)');
        return;
      }
      if (timers.length > 0) return;
      stopping = false;
      for (const job of jobs) {
        const cron = new Cron(
          job.schedule,
          {
            timezone: 'UTC',
            unref: true,
            catch: (error) => log.error({ job: job.name, err: error }, 'scheduled job tick failed'),
          },
          async (self) => {
            await tick(job.name, slotOf(self));
          },
        );
        timers.push(cron);
      }
      log.info({ jobs: jobs.length, holder: deps.holder }, 'job scheduler started');
    },

    async stop() {
      stopping = true;
      for (const cron of timers.splice(0)) cron.stop();
      await Promise.allSettled([...starting]);
      const active = [...running.values()];
      for (const run of active) run.controller.abort(new Error('interrupted: the process is stopping'));
      await Promise.all(active.map((run) => run.done));
    },

    async list() {
      const leases = await leaseStates(database.db, database.dialect);
      return Promise.all(
        jobs.map(async (job) => ({
          name: job.name,
          description: job.description,
          schedule: job.schedule,
          nextRunAt: config.JOBS_ENABLED ? (compiled.get(job.name)?.nextRun()?.toISOString() ?? null) : null,
          running: leases.some((l) => l.job === job.name && l.live),
          lastRun: (await lastRun(database.db, job.name)) ?? null,
        })),
      );
    },

    async runs(name, limit, after) {
      find(name);
      return listRuns(database.db, name, limit, after);
    },

    async runNow(name, actorId) {
      const job = find(name);
      const started = await begin(job, 'manual', null, actorId);
      if (!started) {
        throw new AppError('IAM_ERR_JOB_RUNNING', `The job ${name} is running now; it is not started twice.`);
      }
      return started.runId;
    },

    async runOnce(name, trigger = 'command') {
      const job = find(name);
      const started = await begin(job, trigger, null, null);
      if (started) return started.done;
      return recordSkip(deps, job, trigger, 'the job was running already (this process or another)');
    },

    tick,

    async settled() {
      await Promise.all([...running.values()].map((run) => run.done));
    },
  };
}
