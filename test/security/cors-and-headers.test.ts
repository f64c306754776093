import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, setTenantSettings, type TenantFixture } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const APP = 'https://app.acme.test';
const CONSOLE = 'https://console.example.test';

for (const variant of VARIANTS) {
  describe(`CORS and security headers (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    before(async () => {
      t = await startTestApp(variant, { env: { CORS_ALLOWED_ORIGINS: `${CONSOLE}, not an origin` } });
      acme = await createTenantWithAdmin(t, 'acme');
      await setTenantSettings(t, acme.id, { cors: { allowed_origins: [APP] } });
      await new Promise((r) => setTimeout(r, 600)); // the tenant directory re-reads within half a second
    });
    after(() => t.close());

    const preflight = (url: string, origin: string, headers = 'authorization, content-type, x-evil') =>
      t.app.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin,
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': headers,
        },
      });

    test("a tenant's listed origin gets an exact preflight answer", async () => {
      const res = await preflight('/t/acme/v1/users', APP);
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers['access-control-allow-origin'], APP);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers['access-control-allow-methods'], 'GET, POST, PUT, PATCH, DELETE');
      assert.equal(res.headers['access-control-allow-headers'], 'authorization, content-type');
      assert.equal(res.headers['access-control-max-age'], '600');
      assert.match(String(res.headers.vary), /Origin/);
    });

    test('unlisted, malformed and cross-scope origins get no CORS headers, and never *', async () => {
      for (const [url, origin] of [
        ['/t/acme/v1/users', 'https://evil.test'],
        ['/t/acme/v1/users', 'null'],
        ['/t/acme/v1/users', `${APP}/path`],
        ['/t/acme/v1/users', 'javascript:alert(1)'],
        ['/t/acme/v1/users', CONSOLE],
        ['/v1/tenants', APP],
        ['/t/nosuch/v1/users', APP],
      ] as const) {
        const res = await preflight(url, origin);
        assert.equal(res.headers['access-control-allow-origin'], undefined, `${url} ${origin}`);
        assert.equal(res.headers['access-control-allow-credentials'], undefined);
      }
      const res = await t.app.inject({
        method: 'GET',
        url: '/t/acme/v1/me',
        headers: { origin: 'https://evil.test', authorization: `Bearer ${acme.adminToken}` },
      });
      assert.equal(res.statusCode, 200, 'CORS is enforced by the browser; the server just does not allow it');
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    });

    test('actual requests from a listed origin can read the answer and its paging headers', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/t/acme/v1/users',
        headers: { origin: APP, authorization: `Bearer ${acme.adminToken}` },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], APP);
      assert.match(String(res.headers['access-control-expose-headers']), /Link/);
      const denied = await t.app.inject({ method: 'GET', url: '/t/acme/v1/users', headers: { origin: APP } });
      assert.equal(denied.statusCode, 401);
      assert.equal(denied.headers['access-control-allow-origin'], APP, 'errors are readable too');
      const platform = await preflight('/v1/tenants', CONSOLE);
      assert.equal(platform.headers['access-control-allow-origin'], CONSOLE);
    });

    test('every answer carries the security headers; token answers are never cached', async () => {
      const me = await t.app.inject({
        method: 'GET',
        url: '/t/acme/v1/me',
        headers: { authorization: `Bearer ${acme.adminToken}` },
      });
      assert.equal(me.headers['x-content-type-options'], 'nosniff');
      assert.equal(me.headers['x-frame-options'], 'DENY');
      assert.match(String(me.headers['content-security-policy']), /default-src 'none'/);
      assert.match(String(me.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(me.headers['cache-control'], 'no-store');
      assert.equal(me.headers['strict-transport-security'], undefined, 'no HSTS over plain http');
      const jwks = await t.app.inject({ method: 'GET', url: '/t/acme/.well-known/jwks.json' });
      assert.equal(jwks.headers['cache-control'], 'public, max-age=300');
      const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
      assert.equal(docs.statusCode, 200);
      assert.match(String(docs.headers['content-security-policy']), /script-src 'self'/);
    });
  });
}

describe('HSTS', () => {
  test('is sent when the public URL is https', async () => {
    const t = await startTestApp(VARIANTS[0]!, { env: { PUBLIC_URL: 'https://id.example.test' } });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/livez' });
      assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    } finally {
      await t.close();
    }
  });
});
