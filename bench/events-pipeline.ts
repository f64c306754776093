// The event pipeline end to end: EVENTS events (default 100,000) are committed to the outbox in
// batches while the relay moves them to the queue and an idempotent consumer with a no-op sink takes
// them off. Prints events/s, end-to-end latency (occurred_at → handled) p50/p99 and peak RSS.
//
//   npm run bench:events                                   database queue on SQLite
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:events
//                                                          database queue on PostgreSQL (a scratch
//                                                          database is created there and dropped)
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 DATABASE_URL=… npm run bench:events
//                                                          RabbitMQ (+ PostgreSQL or SQLite)
//
// Knobs: BENCH_EVENTS, BENCH_RATE (events/s offered; default: as fast as the producer commits),
// OUTBOX_BATCH_SIZE (500), QUEUE_PREFETCH (64), OUTBOX_POLL_MS (200), DATABASE_POOL_MAX (10).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import pg from 'pg';
import { systemClock } from '../src/clock.ts';
import { createDatabase, type Database, migrate, toJson, uuidv7 } from '../src/db/index.ts';
import { createOutboxRelay } from '../src/events/outbox-relay.ts';
import {
  amqpNames,
  createAmqpQueue,
  createDatabaseQueue,
  createRetryPolicy,
  deleteTopology,
  type EventConsumer,
  idempotentConsumer,
  insertDeadLetter,
  type QueueBackend,
} from '../src/events/queue/index.ts';

const env = process.env;
const EVENTS = Number(env.BENCH_EVENTS ?? 100_000);
const RATE = Number(env.BENCH_RATE ?? 0);
const BATCH = Number(env.OUTBOX_BATCH_SIZE ?? 500);
const PREFETCH = Number(env.QUEUE_PREFETCH ?? 64);
const POLL_MS = Number(env.OUTBOX_POLL_MS ?? 200);
const POOL = Number(env.DATABASE_POOL_MAX ?? 10);
const PRODUCE_BATCH = 500;
const PG_ADMIN = env.DATABASE_URL ?? '';
const AMQP_URL = env.AMQP_URL ?? '';
const retry = createRetryPolicy({ maxAttempts: 6, baseMs: 1000, maxMs: 300_000 });

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

interface Scratch {
  database: Database;
  drop(): Promise<void>;
}

async function scratchDatabase(): Promise<Scratch> {
  if (!PG_ADMIN) {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
    const database = createDatabase({ url: '', dataDir: dir, poolMax: 1, statementTimeoutMs: 60_000 });
    await migrate(database);
    return {
      database,
      drop: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `gatehouse_bench_events_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  const database = createDatabase({
    url: url.toString(),
    dataDir: '/tmp',
    poolMax: POOL,
    statementTimeoutMs: 60_000,
  });
  await migrate(database);
  return {
    database,
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Commits `count` outbox rows in one multi-row insert, as a busy service's transactions would. */
async function produce(database: Database, count: number): Promise<void> {
  const now = new Date();
  const payload = toJson({ tenant_id: null, slug: 'bench', display_name: 'Bench', actor_id: null });
  const rows = Array.from({ length: count }, () => ({
    id: uuidv7(now.getTime()),
    tenant_id: null,
    type: 'tenant.updated',
    version: 1,
    payload,
    occurred_at: now.toISOString(),
    published_at: null,
  }));
  await database.transaction((trx) => trx.insertInto('outbox').values(rows).execute());
}

async function main(): Promise<void> {
  const scratch = await scratchDatabase();
  const { database } = scratch;
  const backend = AMQP_URL ? 'RabbitMQ' : 'database queue';
  const prefix = `gatehouse-bench-${randomBytes(4).toString('hex')}`;
  const queue: QueueBackend = AMQP_URL
    ? createAmqpQueue({
        url: AMQP_URL,
        prefix,
        prefetch: PREFETCH,
        retry,
        deadLetters: async (letter) => {
          await insertDeadLetter(database.db, letter);
        },
      })
    : createDatabaseQueue({ database, clock: systemClock, prefetch: PREFETCH, pollMs: POLL_MS, retry });

  const latencies = new Float64Array(EVENTS);
  let handled = 0;
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const sink: EventConsumer = {
    name: 'bench',
    types: ['tenant.updated'],
    handle: async (event) => {
      if (handled < EVENTS) latencies[handled] = Date.now() - Date.parse(event.occurred_at);
      handled += 1;
      if (handled === EVENTS) finished();
    },
  };
  const consumer = idempotentConsumer(sink, { database, clock: systemClock });
  await queue.start([consumer]);
  const relay = createOutboxRelay({ database, queue, clock: systemClock, batchSize: BATCH, pollMs: POLL_MS });
  relay.start();

  let rss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    rss = Math.max(rss, process.memoryUsage().rss);
  }, 100);

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let sent = 0; sent < EVENTS; sent += PRODUCE_BATCH) {
    await produce(database, Math.min(PRODUCE_BATCH, EVENTS - sent));
    relay.wake();
    if (RATE > 0) {
      const due = started + ((sent + PRODUCE_BATCH) / RATE) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  const produced = performance.now();
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);

  await relay.stop();
  await queue.stop();
  if (AMQP_URL) {
    const c = await connect(AMQP_URL);
    await deleteTopology(await c.createChannel(), amqpNames(prefix), [consumer], retry);
    await c.close();
  }
  await scratch.drop();

  const sorted = latencies.sort();
  const where = `${backend} on ${database.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}`;
  process.stdout.write(
    [
      `${EVENTS.toLocaleString('en')} events, ${where} (batch ${BATCH}, prefetch ${PREFETCH}${RATE ? `, offered ${RATE}/s` : ''})`,
      `  committed in ${((produced - started) / 1000).toFixed(1)} s; all handled in ${seconds.toFixed(1)} s`,
      `  throughput: ${Math.round(EVENTS / seconds).toLocaleString('en')} events/s`,
      `  latency occurred_at → handled: p50 ${quantile(sorted, 0.5)} ms, p99 ${quantile(sorted, 0.99)} ms`,
      `  peak RSS: ${Math.round(rss / 1024 / 1024)} MB; this process used ${Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100)}% of a core`,
      '',
    ].join('\n'),
  );
}

await main();
