import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/app.ts';
import { AppError, loggerOptions } from '../../src/http/index.ts';
import type { CounterStoreLog } from '../../src/security/counter-store.ts';
import { openDatabase } from '../../src/startup.ts';
import { loadKeyEncryptionKey } from '../../src/tokens/index.ts';
import { createTenantWithSettings } from '../support/fixtures.ts';
import type { TestApp } from '../support/test-app.ts';

/** A client address from TEST-NET-3 (RFC 5737), one per test so their counters never meet. */
let nextHost = 1;
export const freshIp = (): string => `203.0.113.${nextHost++}`;

/** Routes that count in buckets, as the real sign-in routes will. */
export function testRoutes(app: FastifyInstance): void {
  app.post('/t/:tenant/test/login', { config: { permission: 'public', rateLimit: 'login' } }, async () => ({
    ok: true,
  }));
  app.post(
    '/t/:tenant/test/register',
    { config: { permission: 'public', rateLimit: 'register' } },
    async () => ({ ok: true }),
  );
  app.post(
    '/t/:tenant/test/refused',
    { config: { permission: 'public', rateLimit: 'password_reset' } },
    async () => {
      throw new AppError('IAM_ERR_INVALID_CREDENTIALS', 'no');
    },
  );
  app.get('/test/plain', { config: { permission: 'public' } }, async () => ({ ok: true }));
}

/** A tenant created through the platform API; `rateLimits` is written as its stored settings. */
export function createTenant(
  t: TestApp,
  slug: string,
  rateLimits?: Record<string, { limit: number; window_seconds: number }>,
): Promise<string> {
  return createTenantWithSettings(t, slug, rateLimits ? { rate_limits: rateLimits } : {});
}

/**
 * A second replica of `t`: the same configuration and database, its own process state, as another
 * instance behind the load balancer would be. `extend` runs before it is sealed.
 */
export async function startReplica(
  t: TestApp,
  extend: (app: FastifyInstance) => void,
): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const database = openDatabase(t.config);
  const app = await buildApp(t.config, {
    database,
    keyEncryptionKey: loadKeyEncryptionKey(t.config.KEY_ENCRYPTION_SECRET, t.config.DATA_DIR),
    logger: pino({ ...loggerOptions(t.config.LOG_LEVEL), level: 'silent' }),
  });
  extend(app);
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** A logger that records what the counter stores say, by level. */
export function recordingLog(): { lines: { level: 'warn' | 'info'; msg: string }[]; log: CounterStoreLog } {
  const lines: { level: 'warn' | 'info'; msg: string }[] = [];
  const record =
    (level: 'warn' | 'info') =>
    (...args: unknown[]): void => {
      const msg = args.find((a) => typeof a === 'string');
      lines.push({ level, msg: String(msg ?? '') });
    };
  return { lines, log: { warn: record('warn'), info: record('info') } };
}
