// Shared by the event pipeline tests: a migrated scratch database, waiting for conditions, events,
// consumers that record what they saw, and RabbitMQ names that no other run uses.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
import { pino } from 'pino';
import { type Config, loadConfig } from '../../src/config/index.ts';
import { type Database, uuidv7 } from '../../src/db/index.ts';
import { amqpNames, deleteTopology } from '../../src/events/queue/amqp-topology.ts';
import type { EventConsumer, QueuedEvent, QueueLog } from '../../src/events/queue/queue-port.ts';
import type { RetryPolicy } from '../../src/events/queue/retry-policy.ts';
import { openDatabase, prepare } from '../../src/startup.ts';
import { scratchDatabase, type Variant } from '../support/databases.ts';

export const AMQP_URL = process.env.TEST_AMQP_URL ?? '';
export const amqpSkip = AMQP_URL ? false : 'TEST_AMQP_URL is not set (amqp://guest:guest@127.0.0.1:5672)';

export interface TestDatabase {
  config: Config;
  database: Database;
  /** Another connection pool on the same database (a second process, as far as locks go). */
  openAnother(): Database;
  close(): Promise<void>;
}

/** A migrated, bootstrapped scratch database of the variant, opened as the service opens it. */
export async function openTestDatabase(variant: Variant): Promise<TestDatabase> {
  const scratch = await scratchDatabase(variant);
  const { config } = loadConfig({
    NODE_ENV: 'test',
    GATEHOUSE_ADMIN_EMAIL: 'operator@example.test',
    GATEHOUSE_ADMIN_PASSWORD: 'correct horse battery staple',
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_ITERATIONS: '1',
    ...(variant === 'postgres' ? { DATABASE_MIGRATE_ON_START: 'true' } : {}),
    ...scratch.env,
  });
  await prepare(config, pino({ level: 'silent' }));
  const database = openDatabase(config);
  const others: Database[] = [];
  return {
    config,
    database,
    openAnother() {
      const other = openDatabase(config);
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others) await other.close();
      await database.close();
      await scratch.drop();
    },
  };
}

/** Polls until `condition` holds; fails after `timeoutMs` (generous: the tests never assert timing). */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let sequence = 0;

export function sampleEvent(overrides: Partial<QueuedEvent> = {}): QueuedEvent {
  const tenant = uuidv7();
  return {
    id: uuidv7(),
    type: 'user.created',
    version: 1,
    tenant_id: tenant,
    occurred_at: new Date().toISOString(),
    payload: { tenant_id: tenant, user_id: uuidv7(), email: 'someone@example.test', source: 'admin' },
    ...overrides,
  };
}

/** A consumer name no other test uses. */
export function consumerName(base: string): string {
  sequence += 1;
  return `${base}-${sequence}-${randomBytes(3).toString('hex')}`;
}

export interface Recorder extends EventConsumer {
  /** Events the handler finished without throwing. */
  handled: QueuedEvent[];
  /** Every call, failed or not. */
  calls: number;
}

/** A consumer that records its events; `fail(event, call)` decides whether a call throws. */
export function recorder(
  name: string,
  types: EventConsumer['types'],
  fail: (event: QueuedEvent, call: number) => boolean = () => false,
): Recorder {
  const self: Recorder = {
    name,
    types,
    handled: [],
    calls: 0,
    async handle(event) {
      self.calls += 1;
      if (fail(event, self.calls)) throw new Error(`handler refused ${event.type}`);
      self.handled.push(event);
    },
  };
  return self;
}

/** A log that keeps its lines (the tests check what is logged, and that payloads are not). */
export function memoryLog(): QueueLog & { lines: { fields: object; message: string }[] } {
  const lines: { fields: object; message: string }[] = [];
  const push = (fields: object, message: string) => {
    lines.push({ fields, message });
  };
  return { lines, info: push, warn: push, error: push };
}

export function amqpPrefix(): string {
  return `gatehouse-test-${randomBytes(4).toString('hex')}`;
}

/** Deletes what a test's RabbitMQ queue declared. */
export async function deleteAmqp(
  prefix: string,
  consumers: readonly Pick<EventConsumer, 'name'>[],
  retry: RetryPolicy,
): Promise<void> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    await deleteTopology(channel, amqpNames(prefix), consumers, retry);
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Drops the broker connections of one prefix, as a broker restart or a network cut would. */
export function closeAmqpConnections(prefix: string): number {
  const listing = execFileSync('rabbitmqctl', ['-q', 'list_connections', 'pid', 'client_properties'], {
    encoding: 'utf8',
  });
  const pids = listing
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${prefix}:`))
    .map((line) => line.split('\t')[0] as string);
  for (const pid of pids)
    execFileSync('rabbitmqctl', ['-q', 'close_connection', pid, 'test'], { stdio: 'ignore' });
  return pids.length;
}
