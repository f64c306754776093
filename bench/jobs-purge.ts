// Clean-up jobs benchmark: seeds 1,000,000 expired rows (BENCH_ROWS), runs each purge job and prints
// how long it takes, and measures sign-in latency (argon2id at its production cost) without a purge
// and while the purges run in the same process, as the in-process scheduler runs them.
// Run: npm run bench:jobs  (SQLite in a temporary directory; set DATABASE_URL=postgres://… to use a
// scratch database created on that server, connecting as the `gatehouse_app` role like the service;
// JOB_BATCH_SIZE changes the batch)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config/index.ts';
import { createJobScheduler } from '../src/jobs/index.ts';
import { openDatabase, prepare } from '../src/startup.ts';
import { loadKeyEncryptionKey } from '../src/tokens/index.ts';
import { BROWSER_USER_AGENT } from '../test/support/browser.ts';
import { planFor, planRows, seedExpired } from './support/expired-seed.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const BASE_URL = process.env.DATABASE_URL ?? '';
const EMAIL = 'bench-admin@example.test';
const PASSWORD = 'bench admin passphrase';
const JOBS = [
  'purge-expired-tokens',
  'purge-used-totp-steps',
  'purge-expired-links',
  'purge-job-runs-and-dead-letters',
];

/** A scratch database: a temporary SQLite directory, or a new PostgreSQL database on DATABASE_URL's server. */
async function scratch(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-jobs-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (!BASE_URL) return { env: { DATA_DIR: dataDir }, drop: async () => removeDir() };
  const name = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const owner = new URL(BASE_URL);
  owner.pathname = `/${name}`;
  const app = new URL(owner);
  app.username = 'gatehouse_app';
  app.password = '';
  return {
    env: {
      DATA_DIR: dataDir,
      DATABASE_URL: app.toString(),
      DATABASE_MIGRATION_URL: owner.toString(),
      DATABASE_MIGRATE_ON_START: 'true',
    },
    async drop() {
      removeDir();
      const c = new pg.Client({ connectionString: BASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
const ms = (n: number) => n.toFixed(1).padStart(8);

async function main(): Promise<void> {
  const db = await scratch();
  const { config } = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GATEHOUSE_ADMIN_EMAIL: EMAIL,
    GATEHOUSE_ADMIN_PASSWORD: PASSWORD,
    RATE_LIMIT_ENABLED: 'false',
    JOBS_ENABLED: 'false',
    DATABASE_POOL_MAX: '20',
    ...(process.env.JOB_BATCH_SIZE ? { JOB_BATCH_SIZE: process.env.JOB_BATCH_SIZE } : {}),
    ...db.env,
  });
  const log = pino({ level: 'silent' });
  await prepare(config, log);
  const database = openDatabase(config);
  // PostgreSQL: seeded as the schema owner. SQLite: through the service's own connection, since a second
  // connection in one process would wait on the file lock synchronously, blocking the first.
  const owner =
    database.dialect === 'postgres' ? openDatabase(config, config.DATABASE_MIGRATION_URL) : database;
  const app = await buildApp(config, {
    database,
    keyEncryptionKey: loadKeyEncryptionKey(config.KEY_ENCRYPTION_SECRET, config.DATA_DIR),
    logger: log,
  });
  await app.ready();
  const jobs = createJobScheduler({ database, clock: systemClock, config, log });
  try {
    const plan = planFor(ROWS);
    let began = performance.now();
    await seedExpired(owner, plan, new Date());
    const seedMs = performance.now() - began;

    // Sign-ins as a browser would make them, CONCURRENCY at a time, until `until()` says stop.
    const signIns = async (until: () => boolean): Promise<number[]> => {
      const latencies: number[] = [];
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (!until()) {
            const start = performance.now();
            const res = await app.inject({
              method: 'POST',
              url: '/t/platform/v1/auth/login',
              headers: { 'user-agent': BROWSER_USER_AGENT },
              payload: { email: EMAIL, password: PASSWORD },
            });
            if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
            latencies.push(performance.now() - start);
          }
        }),
      );
      return latencies.sort((a, b) => a - b);
    };

    // Warm-up (JIT, the first signing key, pools), not measured.
    const warmEnd = performance.now() + 2000;
    await signIns(() => performance.now() > warmEnd);
    const quietEnd = performance.now() + SECONDS * 1000;
    const quiet = await signIns(() => performance.now() > quietEnd);

    let purging = true;
    const during = signIns(() => !purging);
    const timings: { job: string; ms: number; rows: number }[] = [];
    began = performance.now();
    for (const job of JOBS) {
      const start = performance.now();
      const result = await jobs.runOnce(job);
      if (result.status !== 'succeeded') throw new Error(`${job}: ${result.status} ${result.error ?? ''}`);
      timings.push({ job, ms: performance.now() - start, rows: result.rows });
    }
    const purgeMs = performance.now() - began;
    purging = false;
    const busy = await during;

    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`\n## Clean-up jobs on ${database.dialect}: ${planRows(plan).toLocaleString('en')} expired rows`);
    out(
      `batch ${config.JOB_BATCH_SIZE} rows per transaction; seeding took ${(seedMs / 1000).toFixed(1)} s\n`,
    );
    out('| job | rows deleted | seconds | rows/s |');
    out('|---|---:|---:|---:|');
    for (const t of timings) {
      out(
        `| ${t.job} | ${t.rows.toLocaleString('en')} | ${(t.ms / 1000).toFixed(1)} | ${Math.round(t.rows / (t.ms / 1000)).toLocaleString('en')} |`,
      );
    }
    out(
      `| all | ${timings.reduce((a, t) => a + t.rows, 0).toLocaleString('en')} | ${(purgeMs / 1000).toFixed(1)} | |`,
    );
    out(`\nsign-in latency (argon2id 19 MiB, t=2; ${CONCURRENCY} concurrent, in-process)\n`);
    out('| while | sign-ins | p50 ms | p99 ms | max ms |');
    out('|---|---:|---:|---:|---:|');
    out(
      `| no purge (${SECONDS} s) | ${quiet.length} | ${ms(quantile(quiet, 0.5))} | ${ms(quantile(quiet, 0.99))} | ${ms(quiet.at(-1) ?? 0)} |`,
    );
    out(
      `| purges running | ${busy.length} | ${ms(quantile(busy, 0.5))} | ${ms(quantile(busy, 0.99))} | ${ms(busy.at(-1) ?? 0)} |`,
    );
  } finally {
    await jobs.stop();
    await app.close();
    if (owner !== database) await owner.close();
    await database.close();
    await db.drop();
  }
}

await main();
