// Clean-up jobs benchmark: seeds 1,000,000 expired rows (BENCH_ROWS), runs each purge job and prints
// how long it takes, and measures sign-in latency (argon2id at its production cost) without a purge
// and while the purges run in the same process, as the in-process scheduler runs them.
// Run: npm run bench:jobs  (SQLite in a temporary directory; BENCH_DB=postgres uses a scratch database
// on the local server, connecting as the `gatehouse_app` role like the service; JOB_BATCH_SIZE changes
// the batch, BENCH_DURATION the length of each sign-in run, BENCH_CONCURRENCY the sign-ins at once)
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config/index.ts';
import { createJobScheduler } from '../src/jobs/index.ts';
import { openDatabase, prepare } from '../src/startup.ts';
import { loadKeyEncryptionKey } from '../src/tokens/index.ts';
import { BROWSER_USER_AGENT } from '../test/support/browser.ts';
import { scratchDatabase } from '../test/support/databases.ts';
import { argon2Label } from './support/baseline.ts';
import { planFor, planRows, seedExpired } from './support/expired-seed.ts';
import { type Section, section, sectionMarkdown } from './support/report.ts';
import { OPERATOR } from './support/server.ts';

const JOBS = [
  'purge-expired-tokens',
  'purge-used-totp-steps',
  'purge-expired-links',
  'purge-job-runs-and-dead-letters',
];

export interface JobsOptions {
  variant: 'sqlite' | 'postgres';
  rows: number;
  seconds: number;
  concurrency: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
const ms = (n: number) => Math.round(n * 10) / 10;

export async function jobsBench(o: JobsOptions): Promise<Section> {
  const db = await scratchDatabase(o.variant);
  const { config } = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GATEHOUSE_ADMIN_EMAIL: OPERATOR.email,
    GATEHOUSE_ADMIN_PASSWORD: OPERATOR.password,
    RATE_LIMIT_ENABLED: 'false',
    JOBS_ENABLED: 'false',
    DATABASE_POOL_MAX: '20',
    DATABASE_MIGRATE_ON_START: 'true',
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
    const plan = planFor(o.rows);
    let began = performance.now();
    await seedExpired(owner, plan, new Date());
    const seedMs = performance.now() - began;

    // Sign-ins as a browser would make them, `concurrency` at a time, until `until()` says stop.
    const signIns = async (until: () => boolean): Promise<number[]> => {
      const latencies: number[] = [];
      await Promise.all(
        Array.from({ length: o.concurrency }, async () => {
          while (!until()) {
            const start = performance.now();
            const res = await app.inject({
              method: 'POST',
              url: '/t/platform/v1/auth/login',
              headers: { 'user-agent': BROWSER_USER_AGENT },
              payload: OPERATOR,
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
    const quietEnd = performance.now() + o.seconds * 1000;
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

    const out = section(
      'jobs',
      `Clean-up jobs on ${database.dialect}: ${planRows(plan).toLocaleString('en')} expired rows`,
    );
    out.notes.push(
      `batch ${config.JOB_BATCH_SIZE} rows per transaction; seeding took ${(seedMs / 1000).toFixed(1)} s`,
      `sign-ins in process (app.inject), ${o.concurrency} at a time, ${argon2Label(config)}`,
    );
    const rows = timings.reduce((a, t) => a + t.rows, 0);
    out.tables.push(
      {
        title: 'purges',
        head: ['job', 'rows deleted', 'seconds', 'rows/s'],
        rows: [
          ...timings.map((t) => [t.job, t.rows, ms(t.ms / 1000), Math.round(t.rows / (t.ms / 1000))]),
          ['all', rows, ms(purgeMs / 1000), Math.round(rows / (purgeMs / 1000))],
        ],
      },
      {
        title: 'sign-in latency',
        head: ['while', 'sign-ins', 'p50 ms', 'p99 ms', 'max ms'],
        rows: [
          [
            `no purge (${o.seconds} s)`,
            quiet.length,
            ms(quantile(quiet, 0.5)),
            ms(quantile(quiet, 0.99)),
            ms(quiet.at(-1) ?? 0),
          ],
          [
            'purges running',
            busy.length,
            ms(quantile(busy, 0.5)),
            ms(quantile(busy, 0.99)),
            ms(busy.at(-1) ?? 0),
          ],
        ],
      },
    );
    return out;
  } finally {
    await jobs.stop();
    await app.close();
    if (owner !== database) await owner.close();
    await database.close();
    await db.drop();
  }
}

if (import.meta.main) {
  const result = await jobsBench({
    variant: process.env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite',
    rows: Number(process.env.BENCH_ROWS ?? 1_000_000),
    seconds: Number(process.env.BENCH_DURATION ?? 10),
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4),
  });
  process.stdout.write(`${sectionMarkdown(result)}\n`);
}
