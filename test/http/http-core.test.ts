import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { ADMIN_PASSWORD, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`HTTP core (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant, {
        env: { TRUSTED_PROXIES: '10.1.2.3, 192.168.0.0/16' },
        extend(app) {
          app.get('/test/explode', { config: { permission: 'public' } }, async () => {
            throw new Error('database password is hunter2');
          });
        },
      });
    });
    after(() => t.close());

    test('unknown routes and methods are problems, with Allow on 405', async () => {
      const notFound = problemOf(
        await t.app.inject({ method: 'GET', url: '/no/such/route?x=1' }),
        404,
        'IAM_ERR_NOT_FOUND',
      );
      assert.equal(notFound.instance, '/no/such/route');
      assert.equal(notFound.type, 'urn:gatehouse:problem:IAM_ERR_NOT_FOUND');
      const res = await t.app.inject({ method: 'PUT', url: '/v1/tenants' });
      problemOf(res, 405, 'IAM_ERR_METHOD_NOT_ALLOWED');
      assert.equal(res.headers.allow, 'GET, HEAD, POST, OPTIONS');
    });

    test('a 5xx body is generic; the cause is only logged, with the request id', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/test/explode' });
      const body = problemOf(res, 500, 'IAM_ERR_INTERNAL');
      assert.equal(body.detail, 'An unexpected error occurred.');
      assert.doesNotMatch(res.body, /hunter2|stack|Error:/);
      const line = t.logs.find((l) => l.includes('hunter2'));
      assert.ok(line, 'the cause is logged');
      assert.equal(JSON.parse(line).request_id, res.headers['x-request-id']);
    });

    test('request ids: generated, echoed, and taken from trusted proxies only', async () => {
      const plain = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.match(String(plain.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      const spoofed = await t.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': 'client-chosen' },
      });
      assert.notEqual(spoofed.headers['x-request-id'], 'client-chosen');
      const proxied = await t.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': 'edge-123' },
        remoteAddress: '192.168.7.7',
      });
      assert.equal(proxied.headers['x-request-id'], 'edge-123');
      const injected = await t.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': 'bad\nid' },
        remoteAddress: '10.1.2.3',
      });
      assert.notEqual(injected.headers['x-request-id'], 'bad\nid');
    });

    test('health and readiness', async () => {
      assert.deepEqual((await t.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: 'ready', checks: { database: 'ok' } });
    });

    test('secrets never reach the logs', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/t/platform/v1/auth/login?token=query-secret-123',
        payload: { email: 'operator@example.test', password: ADMIN_PASSWORD },
        headers: { cookie: 'sid=cookie-secret-456' },
      });
      assert.equal(res.statusCode, 200);
      const token = res.json().access_token as string;
      await t.app.inject({
        method: 'GET',
        url: '/v1/tenants',
        headers: { authorization: `Bearer ${token}` },
      });
      const all = t.logs.join('\n');
      for (const secret of [ADMIN_PASSWORD, token, 'query-secret-123', 'cookie-secret-456']) {
        assert.equal(all.includes(secret), false, `log contains ${secret.slice(0, 12)}…`);
      }
      assert.match(all, /token=%5BREDACTED%5D/);
    });

    test('the OpenAPI document is served and lists the routes', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      assert.equal(doc.openapi, '3.1.0');
      assert.ok(doc.paths['/v1/tenants'].post);
      assert.ok(doc.paths['/t/{tenant}/v1/auth/login'].post);
      assert.equal((await t.app.inject({ method: 'GET', url: '/docs/' })).statusCode, 200);
    });
  });
}

describe('readiness with failing and real dependencies', () => {
  test('an unreachable Redis or RabbitMQ leaves the service ready, degraded, naming them', async () => {
    const t = await startTestApp('sqlite', {
      env: { REDIS_URL: 'redis://127.0.0.1:1', AMQP_URL: 'amqp://127.0.0.1:1' },
    });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        status: 'degraded',
        checks: { database: 'ok', redis: 'failing', rabbitmq: 'failing' },
      });
    } finally {
      await t.close();
    }
  });

  test('a failing required dependency makes /readyz a 503 problem naming it', async () => {
    const t = await startTestApp('sqlite');
    try {
      // Once the database is closed its probe fails, as it does when the server is away.
      await t.database.close();
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      const body = problemOf(res, 503, 'IAM_ERR_UNAVAILABLE');
      assert.equal(body.detail, 'Unavailable: database.');
      assert.equal(res.headers['retry-after'], '5');
    } finally {
      await t.close().catch(() => {});
    }
  });

  const redis = process.env.TEST_REDIS_URL;
  const amqp = process.env.TEST_AMQP_URL;
  test('the real Redis and RabbitMQ answer', {
    skip: !redis || !amqp ? 'TEST_REDIS_URL and TEST_AMQP_URL not set' : false,
  }, async () => {
    const t = await startTestApp('sqlite', { env: { REDIS_URL: redis as string, AMQP_URL: amqp as string } });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.deepEqual(res.json(), {
        status: 'ready',
        checks: { database: 'ok', redis: 'ok', rabbitmq: 'ok' },
      });
    } finally {
      await t.close();
    }
  });
});
