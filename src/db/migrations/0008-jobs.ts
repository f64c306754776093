import { type Dialect, type Migration, TYPES, tenantRls } from './types.ts';

export const jobs: Migration = {
  version: 8,
  name: 'jobs',
  up(dialect: Dialect): string[] {
    const t = TYPES[dialect];
    const statements = [
      // One row per scheduled job: whoever holds an unexpired lease runs it, on one process of all
      // replicas. `slot` is the last scheduled time claimed, so a tick runs once however many
      // processes see it; the holder renews `expires_at` while it works and a dead holder's lease lapses.
      `CREATE TABLE job_leases (
         job text PRIMARY KEY,
         holder text NOT NULL,
         run_id ${t.uuid},
         slot ${t.time},
         acquired_at ${t.time} NOT NULL,
         expires_at ${t.time} NOT NULL
       )`,
      // Every run (scheduled, manual or from `npm run job`), kept for JOB_RUNS_RETENTION_DAYS.
      `CREATE TABLE job_runs (
         id ${t.uuid} PRIMARY KEY,
         job text NOT NULL,
         trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'command')),
         status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
         holder text NOT NULL,
         triggered_by ${t.uuid},
         started_at ${t.time} NOT NULL,
         finished_at ${t.time},
         rows_affected bigint NOT NULL DEFAULT 0,
         batches integer NOT NULL DEFAULT 0,
         error text
       )`,
      'CREATE INDEX job_runs_job ON job_runs (job, started_at, id)',
      'CREATE INDEX job_runs_time ON job_runs (started_at, id)',
      // The password whose expiry reminder went out, so that reminder goes out once per password
      // however often the job runs; a new password is a new key.
      `CREATE TABLE password_reminders (
         tenant_id ${t.uuid} NOT NULL,
         user_id ${t.uuid} NOT NULL,
         password_changed_at ${t.time} NOT NULL,
         sent_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, user_id, password_changed_at),
         FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
       )`,
      // The purges find their rows through an index range instead of scanning the table on every batch.
      'CREATE INDEX users_deleted ON users (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL',
      'CREATE INDEX sessions_idle_expiry ON sessions (tenant_id, idle_expires_at)',
      'CREATE INDEX sessions_revoked ON sessions (tenant_id, revoked_at) WHERE revoked_at IS NOT NULL',
      'CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL',
    ];
    if (dialect === 'postgres') statements.push(...tenantRls('password_reminders'));
    return statements;
  },
};
