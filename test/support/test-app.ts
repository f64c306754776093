import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/app.ts';
import type { Clock } from '../../src/clock.ts';
import { type Config, loadConfig } from '../../src/config/index.ts';
import type { Database } from '../../src/db/index.ts';
import { loggerOptions } from '../../src/http/index.ts';
import { openDatabase, prepare } from '../../src/startup.ts';
import { loadKeyEncryptionKey } from '../../src/tokens/index.ts';
import { BROWSER_USER_AGENT } from './browser.ts';
import { scratchDatabase, type Variant } from './databases.ts';

export const ADMIN_EMAIL = 'operator@example.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  database: Database;
  /** Every log line the app wrote, for assertions on what is (not) logged. */
  logs: string[];
  adminToken(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A fully prepared service on a fresh database of the given variant (migrated, platform tenant and
 * administrator bootstrapped), exercised through `app.inject`. argon2 runs at its minimum cost here
 * to keep the suite quick; the production parameters have their own test.
 */
export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Registers extra routes or plugins before the app is sealed. */
  extend?: (app: FastifyInstance, database: Database) => void;
}

export async function startTestApp(variant: Variant, options: TestAppOptions = {}): Promise<TestApp> {
  const scratch = await scratchDatabase(variant);
  const { config } = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    GATEHOUSE_ADMIN_EMAIL: ADMIN_EMAIL,
    GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_ITERATIONS: '1',
    // Suites sign in far more often than a person; the rate-limit tests switch limits on themselves.
    RATE_LIMIT_ENABLED: 'false',
    // A job firing mid-test would delete what the test set up; the job tests run them by hand.
    JOBS_ENABLED: 'false',
    ...(variant === 'postgres' ? { DATABASE_MIGRATE_ON_START: 'true' } : {}),
    ...scratch.env,
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino(loggerOptions(config.LOG_LEVEL), sink);
  await prepare(config, logger);
  const database = openDatabase(config);
  const app = await buildApp(config, {
    database,
    keyEncryptionKey: loadKeyEncryptionKey(config.KEY_ENCRYPTION_SECRET, config.DATA_DIR),
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  options.extend?.(app, database);
  await app.ready();
  // Injected requests come from a browser unless a test says otherwise (bot filter tests do).
  const inject = app.inject.bind(app);
  app.inject = ((request?: InjectOptions | string) =>
    request === undefined || typeof request === 'string'
      ? inject(request as string)
      : inject({
          ...request,
          headers: { 'user-agent': BROWSER_USER_AGENT, ...request.headers },
        })) as typeof app.inject;
  let token: string | undefined;
  return {
    app,
    config,
    database,
    logs,
    async adminToken() {
      token ??= await login(app, 'platform', ADMIN_EMAIL, ADMIN_PASSWORD);
      return token;
    },
    async close() {
      await app.close();
      await database.close();
      await scratch.drop();
    },
  };
}

export async function login(
  app: FastifyInstance,
  tenant: string,
  email: string,
  password: string,
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: `/t/${tenant}/v1/auth/login`,
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json().access_token as string;
}

/** Asserts an RFC 9457 problem response and returns its body. */
export function problemOf(
  res: LightMyRequestResponse,
  status: number,
  code: string,
): Record<string, unknown> {
  const type = String(res.headers['content-type']);
  if (res.statusCode !== status || !type.startsWith('application/problem+json')) {
    throw new Error(`expected ${status} problem ${code}, got ${res.statusCode} ${type}: ${res.body}`);
  }
  const body = res.json() as Record<string, unknown>;
  if (body.code !== code || body.status !== status) throw new Error(`expected ${code}, got ${res.body}`);
  return body;
}
