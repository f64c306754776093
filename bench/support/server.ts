// Starts Gatehouse as real processes (as `npm start` does) on a scratch database for
// benchmarks: on PostgreSQL with Redis, RabbitMQ and an SMTP listener, or on the embedded SQLite
// default with nothing else. Measures the time from spawn until /readyz answers 200.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config/index.ts';
import { runMigrations } from '../../src/startup.ts';
import { dropServiceTopology } from '../../test/support/amqp-cleanup.ts';
import { scratchDatabase } from '../../test/support/databases.ts';
import { requestJson } from '../../test/support/http-client.ts';
import { freePort, type Started, startMain } from '../../test/support/process.ts';
import { startSmtp } from '../../test/support/smtp.ts';
import { serviceDefaults } from './baseline.ts';
import { type ProcessRss, processRss } from './processes.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const OPERATOR = { email: 'bench-admin@example.test', password: 'bench admin passphrase' };

export interface Answer<T> {
  status: number;
  body: T;
}

export interface BenchServer {
  url: string;
  variant: 'postgres' | 'sqlite';
  /** The schema owner's connection URL (PostgreSQL only). */
  ownerUrl: string;
  env: Record<string, string>;
  /** Milliseconds from spawning the primary until /readyz first answered 200. */
  readyMs: number;
  /** Sends JSON (with a bearer token when given) as a browser would and returns the parsed answer. */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<Answer<T>>;
  /** The primary and its workers with their resident memory now. */
  processes(): ProcessRss[];
  /** Stops the processes and starts them again on the same database; returns the new time to ready. */
  restart(): Promise<number>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  variant: 'postgres' | 'sqlite';
  workers?: number;
  env?: Record<string, string>;
  /** Writes data with the owner's connection after migrating and before the service starts (PostgreSQL). */
  seed?: (owner: pg.ClientBase) => Promise<void>;
}

async function spawnReady(
  env: Record<string, string>,
  url: string,
): Promise<{ started: Started; readyMs: number }> {
  const spawned = performance.now();
  const started = startMain(env);
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    const failed =
      started.child.exitCode !== null
        ? 'exited while starting'
        : performance.now() - spawned > 120_000
          ? 'never became ready'
          : undefined;
    if (failed) {
      await stopProcess(started);
      throw new Error(`Gatehouse ${failed}:\n${started.output()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { started, readyMs: Math.round(performance.now() - spawned) };
}

async function stopProcess(started: Started): Promise<void> {
  if (started.child.exitCode !== null) return;
  started.child.kill('SIGTERM');
  const killer = setTimeout(() => started.child.kill('SIGKILL'), 15_000);
  await started.exited;
  clearTimeout(killer);
}

/** The service's two consumers declared their RabbitMQ queues under this run's prefix; removes them. */
function deleteQueues(prefix: string): Promise<void> {
  return dropServiceTopology(AMQP_URL, prefix, {
    maxAttempts: serviceDefaults.QUEUE_MAX_ATTEMPTS,
    baseMs: serviceDefaults.QUEUE_RETRY_BASE_MS,
    maxMs: serviceDefaults.QUEUE_RETRY_MAX_MS,
  });
}

/**
 * A fresh database and `workers` serving processes on a free port. PostgreSQL runs the service as in
 * production (NODE_ENV=production, an app role under row-level security, Redis, RabbitMQ, SMTP);
 * SQLite runs it with `npm start`'s defaults. Both log at `warn` and, the load coming from one address,
 * without rate limits.
 */
export async function startServer(options: ServerOptions): Promise<BenchServer> {
  const scratch = await scratchDatabase(options.variant);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const smtp = options.variant === 'postgres' ? await startSmtp() : undefined;
  const prefix = `gatehouse-bench-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    ...scratch.env,
    PORT: String(port),
    PUBLIC_URL: url,
    LOG_LEVEL: 'warn',
    GATEHOUSE_ADMIN_EMAIL: OPERATOR.email,
    GATEHOUSE_ADMIN_PASSWORD: OPERATOR.password,
    // The whole load comes from one address: per-IP limits would measure the limiter, not the service.
    RATE_LIMIT_ENABLED: 'false',
    ...(options.workers ? { WORKERS: String(options.workers) } : {}),
    ...(smtp
      ? {
          NODE_ENV: 'production',
          KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64'),
          DATABASE_MIGRATE_ON_START: 'true',
          REDIS_URL,
          AMQP_URL,
          AMQP_PREFIX: prefix,
          SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        }
      : { NODE_ENV: 'development' }),
    ...options.env,
  };
  const ownerUrl = scratch.env.DATABASE_MIGRATION_URL ?? '';
  const cleanUp = async () => {
    await smtp?.close();
    if (smtp) await deleteQueues(prefix);
    await scratch.drop();
  };
  let started: Started;
  let readyMs: number;
  try {
    if (options.seed) {
      if (!ownerUrl) throw new Error('seeding before start needs PostgreSQL');
      await runMigrations(loadConfig(env).config);
      const owner = new pg.Client({ connectionString: ownerUrl });
      await owner.connect();
      try {
        await options.seed(owner);
      } finally {
        await owner.end();
      }
    }
    ({ started, readyMs } = await spawnReady(env, url));
  } catch (error) {
    await cleanUp();
    throw error;
  }

  return {
    url,
    variant: options.variant,
    ownerUrl,
    env,
    get readyMs() {
      return readyMs;
    },
    call: <T>(method: string, path: string, body?: unknown, token?: string) =>
      requestJson<T>(url, method, path, { body, token }),
    processes: () => (started.child.pid ? processRss(started.child.pid) : []),
    async restart() {
      await stopProcess(started);
      ({ started, readyMs } = await spawnReady(env, url));
      return readyMs;
    },
    async stop() {
      await stopProcess(started);
      await cleanUp();
    },
  };
}
