import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { BROWSER_USER_AGENT } from '../support/browser.ts';
import {
  assertAlive,
  failures,
  LATENCY_BOUND_MS,
  OPERATOR,
  type Stack,
  settle,
  startStack,
  summary,
  underLoad,
  within,
} from './harness.ts';

// Redis goes away under load, with two worker processes. Redis holds rate-limit counters and carries
// the revocation nudge between processes; without it the documented degradation applies: counters
// fall back to each process's memory (limits still answer, per process) and a revocation reaches the
// other processes at their next poll of the database (INVALIDATION_POLL_MS, 1 s here) instead of at
// once. No request fails, nothing crashes, and Redis is used again by itself once it is back.

const POLL_MS = 1000;

/** GET /me on a new connection each time, so the cluster hands it to the workers in turn. */
function meOnFreshConnection(stack: Stack, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.base}/t/platform/v1/me`,
      { agent: false, headers: { authorization: `Bearer ${token}`, 'user-agent': BROWSER_USER_AGENT } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Signs a new session in, signs it out, and measures how long its token was still accepted by some
 * worker afterwards: undefined if it still was after 10 s.
 */
async function revocationLag(stack: Stack): Promise<number | undefined> {
  const token = await stack.signIn(OPERATOR.email, OPERATOR.password);
  assert.equal(await meOnFreshConnection(stack, token), 200);
  const logout = await stack.call('POST', '/t/platform/v1/auth/logout', { token });
  assert.equal(logout.status, 204, JSON.stringify(logout.json));
  const loggedOut = performance.now();
  let lastAccepted = loggedOut;
  // Refused by both workers several times in a row: then the revocation is in force everywhere.
  let refusedInARow = 0;
  const done = await within(10_000, async () => {
    const status = await meOnFreshConnection(stack, token);
    if (status === 200) {
      lastAccepted = performance.now();
      refusedInARow = 0;
    } else refusedInARow += 1;
    return refusedInARow >= 8;
  });
  return done === undefined ? undefined : lastAccepted - loggedOut;
}

test('Redis away: rate limits per process, revocations by poll, no request fails, recovery by itself', async (t) => {
  const stack = await startStack({ workers: 2, env: { INVALIDATION_POLL_MS: String(POLL_MS) } });
  t.after(() => stack.close());
  const label = 'redis-stop';
  const withRedis = await revocationLag(stack);
  let withoutRedis: number | undefined;
  let readiness = 0;
  const limits: (string | null)[] = [];
  const outage = await underLoad(stack, label, {
    inject: () => stack.proxies.redis.cut(),
    async during() {
      // Sign-ins still count in the login bucket: the fallback answers with the RateLimit fields.
      for (let i = 0; i < 3; i++) {
        const refused = await stack.call('POST', '/t/platform/v1/auth/login', {
          body: { email: `nobody-${i}@example.test`, password: 'not the password' },
        });
        assert.equal(refused.status, 401, JSON.stringify(refused.json));
        limits.push(refused.headers?.get('ratelimit') ?? null);
      }
      withoutRedis = await revocationLag(stack);
      readiness = (await stack.call('GET', '/readyz')).status;
    },
    restore: () => stack.proxies.redis.restore(),
  });
  // Back on Redis: /readyz recovers, and revocations travel by the Redis nudge again.
  const ready = await within(30_000, async () => (await stack.call('GET', '/readyz')).status === 200);
  const afterRedis = await revocationLag(stack);
  const book = await settle(stack, label, outage.outcomes);
  const ms = (v: number | undefined) => (v === undefined ? 'never' : `${Math.round(v)} ms`);
  t.diagnostic(summary('Redis stop', outage.outcomes, book));
  t.diagnostic(
    `revocation in force on every worker after ${ms(withRedis)} with Redis, ${ms(withoutRedis)} without, ` +
      `${ms(afterRedis)} once it was back; login RateLimit during the outage: ${limits.join(' | ')}; ` +
      `/readyz answered ${readiness} during the outage and 200 again ${ms(ready)} after the restore`,
  );

  assertAlive(stack);
  assert.equal(failures(outage.outcomes), '{}', 'no request fails because Redis is away');
  const slowest = Math.max(...outage.outcomes.map((o) => o.ms));
  assert.ok(slowest <= LATENCY_BOUND_MS, `a request took ${Math.round(slowest)} ms`);
  for (const header of limits) assert.match(String(header), /"login";r=\d+;t=\d+/, 'limits still apply');
  assert.ok(withoutRedis !== undefined && withoutRedis <= POLL_MS + 1000, 'revocation within a poll');
  assert.ok(ready !== undefined, 'ready again after the restore');
  assert.ok(afterRedis !== undefined && afterRedis <= POLL_MS + 1000);

  assert.deepEqual(book.lostWrites, []);
  assert.equal(book.unpublished, 0);
  assert.deepEqual(book.lostEvents, []);
  assert.deepEqual(book.duplicated, []);
});
