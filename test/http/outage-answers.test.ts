import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { VARIANTS } from '../support/databases.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

// What a caller sees when a dependency is away or slow: a 503 problem to retry, never a 500 and never
// a request held open. (The fault suite, npm run test:faults, cuts the real connections.)

for (const variant of VARIANTS) {
  describe(`outage answers (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant, {
        env: { REQUEST_TIMEOUT_MS: '1000' },
        extend(app) {
          const hidden = { config: { permission: 'public' as const }, schema: { hide: true } };
          // What pg throws when the server goes away mid-query, and when the pool cannot connect.
          app.get('/test/db-terminated', hidden, async () => {
            throw new Error('Connection terminated unexpectedly');
          });
          app.get('/test/db-connect-timeout', hidden, async () => {
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          });
          app.get('/test/slow', hidden, async () => {
            await sleep(3000);
            return { late: true };
          });
          app.post('/test/slow', hidden, async () => {
            await sleep(3000);
            return { late: true };
          });
          app.get('/test/bug', hidden, async () => {
            throw new TypeError('undefined is not a function');
          });
        },
      });
    });
    after(() => t.close());

    const get = (url: string) => t.app.inject({ method: 'GET', url });

    test('a lost database connection is a 503 to retry, with Retry-After', async () => {
      for (const url of ['/test/db-terminated', '/test/db-connect-timeout']) {
        const res = await get(url);
        const body = problemOf(res, 503, 'IAM_ERR_UNAVAILABLE');
        assert.equal(res.headers['retry-after'], '1', url);
        assert.doesNotMatch(String(body.detail), /5432|ECONNREFUSED|terminated/, 'no driver detail leaks');
      }
    });

    test('a handler past REQUEST_TIMEOUT_MS is answered 503 instead of holding the request', async () => {
      for (const method of ['GET', 'POST'] as const) {
        const started = Date.now();
        const res = await t.app.inject({
          method,
          url: '/test/slow',
          ...(method === 'POST' ? { payload: { with: 'a body' } } : {}),
        });
        problemOf(res, 503, 'IAM_ERR_UNAVAILABLE');
        assert.equal(res.headers['retry-after'], '1', method);
        assert.ok(Date.now() - started < 3000, `${method}: answered before the handler finished`);
      }
    });

    test('any other failure stays a generic 500', async () => {
      const body = problemOf(await get('/test/bug'), 500, 'IAM_ERR_INTERNAL');
      assert.doesNotMatch(String(body.detail), /function/);
    });
  });
}
