// The event pipeline end to end, in this process: events are committed to the outbox in batches
// while the relay moves them to the queue and an idempotent consumer with a no-op sink takes them
// off. Reports events/s, end-to-end latency (occurred_at → handled) and peak RSS.
//
//   npm run bench:events                          database queue on SQLite
//   BENCH_DB=postgres npm run bench:events        database queue on PostgreSQL (scratch database)
//   BENCH_DB=postgres BENCH_QUEUE=rabbitmq npm run bench:events
//                                                 RabbitMQ (AMQP_URL, default the local broker)
//
// Knobs: BENCH_EVENTS (100,000), BENCH_RATE (events/s offered; default: as fast as the producer
// commits), OUTBOX_BATCH_SIZE (500), QUEUE_PREFETCH (64), OUTBOX_POLL_MS (200), DATABASE_POOL_MAX (10).
// `npm run bench` runs it on PostgreSQL and RabbitMQ, producing for BENCH_DURATION seconds at most.
import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
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
import { scratchDatabase } from '../test/support/databases.ts';
import { serviceDefaults } from './support/baseline.ts';
import { rssSampler } from './support/processes.ts';
import { type Section, section, sectionMarkdown } from './support/report.ts';
import { AMQP_URL } from './support/server.ts';

const env = process.env;
const PRODUCE_BATCH = 500;

export interface EventsOptions {
  variant: 'sqlite' | 'postgres';
  rabbitmq: boolean;
  /** Stop producing after this many events, or after `seconds`, whichever comes first. */
  events: number;
  seconds: number;
  /** Events/s offered; 0 commits as fast as the database allows. */
  rate: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

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

export async function eventsBench(o: EventsOptions): Promise<Section> {
  const scratch = await scratchDatabase(o.variant);
  const database = createDatabase({
    url: scratch.env.DATABASE_MIGRATION_URL ?? '',
    dataDir: scratch.env.DATA_DIR as string,
    poolMax: o.variant === 'postgres' ? Number(env.DATABASE_POOL_MAX ?? 10) : 1,
    statementTimeoutMs: 60_000,
  });
  await migrate(database);
  const batch = Number(env.OUTBOX_BATCH_SIZE ?? serviceDefaults.OUTBOX_BATCH_SIZE);
  const prefetch = Number(env.QUEUE_PREFETCH ?? serviceDefaults.QUEUE_PREFETCH);
  const pollMs = Number(env.OUTBOX_POLL_MS ?? serviceDefaults.OUTBOX_POLL_MS);
  const retry = createRetryPolicy({
    maxAttempts: serviceDefaults.QUEUE_MAX_ATTEMPTS,
    baseMs: serviceDefaults.QUEUE_RETRY_BASE_MS,
    maxMs: serviceDefaults.QUEUE_RETRY_MAX_MS,
  });
  const prefix = `gatehouse-bench-${randomBytes(4).toString('hex')}`;
  const queue: QueueBackend = o.rabbitmq
    ? createAmqpQueue({
        url: AMQP_URL,
        prefix,
        prefetch,
        retry,
        deadLetters: async (letter) => {
          await insertDeadLetter(database.db, letter);
        },
      })
    : createDatabaseQueue({ database, clock: systemClock, prefetch, pollMs, retry });

  const latencies: number[] = [];
  let produced = 0;
  let producing = true;
  let drained: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    drained = resolve;
  });
  const sink: EventConsumer = {
    name: 'bench',
    types: ['tenant.updated'],
    handle: async (event) => {
      latencies.push(Date.now() - Date.parse(event.occurred_at));
      if (!producing && latencies.length >= produced) drained();
    },
  };
  const consumer = idempotentConsumer(sink, { database, clock: systemClock });
  await queue.start([consumer]);
  const relay = createOutboxRelay({ database, queue, clock: systemClock, batchSize: batch, pollMs });
  relay.start();

  const rss = rssSampler(() => [
    { pid: process.pid, role: 'primary', rssMb: process.memoryUsage().rss / 2 ** 20 },
  ]);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const stopAt = started + o.seconds * 1000;
  while (produced < o.events && performance.now() < stopAt) {
    const count = Math.min(PRODUCE_BATCH, o.events - produced);
    await produce(database, count);
    produced += count;
    relay.wake();
    if (o.rate > 0) {
      const wait = started + (produced / o.rate) * 1000 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  const committed = performance.now();
  producing = false;
  if (latencies.length >= produced) drained();
  // A pipeline that falls behind gets as long again as production took (at least 30 s) to catch up.
  const patience = Math.max(30_000, committed - started);
  await Promise.race([done, new Promise((r) => setTimeout(r, patience))]);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const peak = rss.stop();

  await relay.stop();
  await queue.stop();
  if (o.rabbitmq) {
    const c = await connect(AMQP_URL);
    await deleteTopology(await c.createChannel(), amqpNames(prefix), [consumer], retry);
    await c.close();
  }
  await database.close();
  await scratch.drop();

  const sorted = latencies.sort((a, b) => a - b);
  const where = `${o.rabbitmq ? 'RabbitMQ' : 'database queue'} on ${o.variant === 'postgres' ? 'PostgreSQL' : 'SQLite'}`;
  const out = section('events', `Events end to end: outbox → ${where} → consumer`);
  out.scenarios.push({
    name: `events (${produced.toLocaleString('en')} committed in batches of ${PRODUCE_BATCH})`,
    requests: latencies.length,
    seconds: Math.round(seconds * 10) / 10,
    rps: Math.round(latencies.length / seconds),
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
    errors: Math.max(0, produced - latencies.length),
    limited: 0,
    rssMb: Math.round(peak.totalMb),
  });
  out.notes.push(
    `in-process pipeline (relay batch ${batch}, prefetch ${prefetch}): req/s is events handled per second, latency is occurred_at → handled, errors are events not handled in time, RSS is this process`,
    o.rate
      ? `offered ${o.rate} events/s`
      : 'offered as fast as the producer commits: the latency includes the backlog that builds when the consumer is slower',
    `committed in ${((committed - started) / 1000).toFixed(1)} s; ${latencies.length >= produced ? 'all' : `${latencies.length.toLocaleString('en')} of ${produced.toLocaleString('en')}`} handled in ${seconds.toFixed(1)} s; this process used ${Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100)}% of a core`,
  );
  return out;
}

if (import.meta.main) {
  const result = await eventsBench({
    variant: env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite',
    rabbitmq: env.BENCH_QUEUE === 'rabbitmq',
    events: Number(env.BENCH_EVENTS ?? 100_000),
    seconds: Number.POSITIVE_INFINITY,
    rate: Number(env.BENCH_RATE ?? 0),
  });
  process.stdout.write(`${sectionMarkdown(result)}\n`);
}
