// `npm run job -- <name>`: runs one scheduled job once and exits, for operators who schedule jobs
// with cron or a Kubernetes CronJob (set JOBS_ENABLED=false on the service then). It takes the same
// lease as the in-process scheduler, so it never runs a job that is running elsewhere: it reports
// that as skipped and exits 0. Exit codes: 0 succeeded or skipped, 1 failed, 2 usage or configuration.
import { pino } from 'pino';
import { systemClock } from '../src/clock.ts';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { assertSchemaCurrent } from '../src/db/index.ts';
import { createJobScheduler } from '../src/jobs/index.ts';
import { openDatabase, runMigrations } from '../src/startup.ts';

const name = process.argv[2];
let config: ReturnType<typeof loadConfig>['config'];
try {
  config = loadConfig().config;
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}
// Logs go to stderr: stdout carries only the result line, for scripts that read it.
const log = pino({ level: config.LOG_LEVEL }, pino.destination(2));
// Schedules are validated here too, so a bad one surfaces from cron as well as from the service.
const database = openDatabase(config);
let jobs: ReturnType<typeof createJobScheduler>;
try {
  jobs = createJobScheduler({ database, clock: systemClock, config, log });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await database.close();
  process.exit(2);
}
if (!name || !jobs.names().includes(name)) {
  process.stderr.write(`usage: npm run job -- <name>\njobs: ${jobs.names().join(', ')}\n`);
  await database.close();
  process.exit(2);
}

// Interrupted by the scheduler of the host (SIGTERM), the run stops after its current batch, is
// recorded as failed and gives the lease up; the next run carries on where it stopped.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void jobs.stop());

let code = 1;
try {
  // The embedded database migrates at start like the service does; PostgreSQL must be migrated already.
  if (!config.DATABASE_URL || config.DATABASE_MIGRATE_ON_START) await runMigrations(config);
  await assertSchemaCurrent(database);
  const result = await jobs.runOnce(name, 'command');
  process.stdout.write(
    `${JSON.stringify({ job: name, run_id: result.runId, status: result.status, rows: result.rows, ...(result.error ? { error: result.error } : {}) })}\n`,
  );
  code = result.status === 'failed' ? 1 : 0;
} catch (error) {
  process.stderr.write(`${String(error)}\n`);
} finally {
  await database.close();
}
process.exit(code);
