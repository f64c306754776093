import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../../support/fixtures.ts';
import { startTestApp, type TestApp } from '../../support/test-app.ts';
import { call, tenantState } from './attack-support.ts';

// SQL injection (OWASP A03:2021) through every filter, sort and cursor parameter of every list
// route: the answer is a 2xx without extra rows or a 4xx problem, never a 5xx, and no table changes.
// LIKE wildcards in prefix filters are literal characters, not patterns.

const PAYLOADS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  '" OR ""="',
  "'; DROP TABLE users; --",
  "') OR ('a'='a",
  "1' UNION SELECT id, email, password_hash FROM users --",
  "' || (SELECT pg_sleep(1)) || '",
  "' AND 1=(SELECT COUNT(*) FROM sqlite_master) --",
  '%',
  '_',
  '\\',
  '%%',
  '\\%',
  '*',
  '$1',
  '?',
  '\u0000',
  '\u2019 OR 1=1 --',
  '00000000-0000-0000-0000-000000000000',
  '-created_at, id',
  'email DESC; --',
  '1e309',
  '-1',
  'true',
];

/** Cursors of the right encoding whose values are themselves injection strings. */
const CURSORS = [
  ...PAYLOADS.map((p) => Buffer.from(JSON.stringify([p, p])).toString('base64url')),
  Buffer.from(JSON.stringify(["2000-01-01T00:00:00Z' OR '1'='1", "x' OR '1'='1"])).toString('base64url'),
  Buffer.from(JSON.stringify([1e308, -1e308])).toString('base64url'),
  Buffer.from(JSON.stringify(['a'])).toString('base64url'),
  Buffer.from('not json').toString('base64url'),
  "' OR '1'='1",
];

for (const variant of VARIANTS) {
  describe(`attack: SQL injection in list parameters (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let groupId: string;
    let userId: string;
    let policyId: string;

    before(async () => {
      t = await startTestApp(variant, { env: { WEBHOOK_ALLOW_INSECURE: 'true' } });
      acme = await createTenantWithAdmin(t, 'acme');
      await createTenantWithAdmin(t, 'globex');
      for (let i = 0; i < 3; i++) userId = (await createUser(t, acme.id, { roles: ['user'] })).id;
      const make = async (url: string, payload: object) => {
        const res = await call(t, 'POST', `/t/acme/v1${url}`, { token: acme.adminToken, payload });
        assert.equal(res.statusCode, 201, res.body);
        return res.json().id as string;
      };
      groupId = await make('/groups', { name: 'Staff' });
      await call(t, 'PUT', `/t/acme/v1/groups/${groupId}/members/${userId}`, { token: acme.adminToken });
      await make('/roles', { name: 'reader', permissions: ['user:read'] });
      policyId = await make('/policies', {
        name: 'p1',
        document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'x:y', Resource: '*' } },
      });
      await make('/clients', { name: 'c1', permissions: ['user:read'] });
      await make('/webhooks', { url: 'http://127.0.0.1:9/hook', event_types: ['tenant.deleted'] });
    });
    after(() => t.close());
    /** Every request that answered a 5xx, as "route?query → status": reported by the last test. */
    const errors: string[] = [];
    const assertNo5xx = (res: { statusCode: number }, what: string) => {
      if (res.statusCode >= 500) errors.push(`${what} → ${res.statusCode}`);
    };

    /** Every list route, its filter parameters, and whether a filter by a junk value must find nothing. */
    const routes = () => [
      {
        url: '/t/acme/v1/users',
        filters: [
          'email',
          'name',
          'role',
          'group',
          'status',
          'sort',
          'created_after',
          'created_before',
          'include',
          'count',
        ],
        empty: ['email', 'name', 'role', 'group'],
      },
      { url: '/t/acme/v1/groups', filters: ['name'], empty: ['name'] },
      { url: '/t/acme/v1/roles', filters: [], empty: [] },
      { url: '/t/acme/v1/policies', filters: [], empty: [] },
      { url: `/t/acme/v1/policies/${policyId}/versions`, filters: [], empty: [] },
      { url: `/t/acme/v1/groups/${groupId}/members`, filters: [], empty: [] },
      { url: `/t/acme/v1/users/${userId}/groups`, filters: [], empty: [] },
      { url: `/t/acme/v1/users/${userId}/sessions`, filters: [], empty: [] },
      { url: '/t/acme/v1/me/sessions', filters: [], empty: [] },
      { url: '/t/acme/v1/clients', filters: [], empty: [] },
      { url: '/t/acme/v1/webhooks', filters: [], empty: [] },
      {
        url: '/t/acme/v1/dead-letters',
        filters: ['consumer', 'type', 'failed_from', 'failed_to'],
        empty: ['consumer', 'type'],
      },
      {
        url: '/v1/dead-letters',
        filters: ['consumer', 'type', 'failed_from', 'failed_to', 'tenant_id'],
        empty: ['consumer', 'type', 'tenant_id'],
        platform: true,
      },
      { url: '/v1/tenants', filters: ['status'], empty: [], platform: true },
    ];

    test('every filter and sort parameter: no 5xx, no extra rows, no change', async () => {
      const platformToken = await t.adminToken();
      const beforeAcme = await tenantState(t, acme.id);
      const tenantsBefore = (await call(t, 'GET', '/v1/tenants?limit=200', { token: platformToken })).json()
        .items;
      let requests = 0;
      for (const route of routes()) {
        const token = route.platform ? platformToken : acme.adminToken;
        const baseline = await call(t, 'GET', `${route.url}?limit=200`, { token });
        assert.equal(baseline.statusCode, 200, `${route.url}: ${baseline.body}`);
        const total = (baseline.json().items as unknown[]).length;
        for (const param of [...route.filters, 'limit']) {
          for (const value of PAYLOADS) {
            const res = await call(t, 'GET', `${route.url}?${new URLSearchParams({ [param]: value })}`, {
              token,
            });
            requests++;
            assertNo5xx(res, `${route.url}?${param}=${JSON.stringify(value)}`);
            if (res.statusCode >= 500) continue;
            if (res.statusCode !== 200) {
              assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
              continue;
            }
            const items = res.json().items as unknown[];
            assert.ok(items.length <= total, `${route.url}?${param}=${value}: ${items.length} > ${total}`);
            if (route.empty.includes(param)) {
              assert.equal(items.length, 0, `${route.url}?${param}=${JSON.stringify(value)} matched rows`);
            }
          }
        }
      }
      assert.ok(requests > 300);
      assert.deepEqual(await tenantState(t, acme.id), beforeAcme);
      const tenantsAfter = (await call(t, 'GET', '/v1/tenants?limit=200', { token: platformToken })).json()
        .items;
      assert.deepEqual(tenantsAfter, tenantsBefore);
    });

    test('crafted cursors on every list: an invalid-cursor problem or a page without extra rows', async () => {
      const platformToken = await t.adminToken();
      const before = await tenantState(t, acme.id);
      for (const route of routes()) {
        const token = route.platform ? platformToken : acme.adminToken;
        const total = ((await call(t, 'GET', `${route.url}?limit=200`, { token })).json().items as unknown[])
          .length;
        for (const cursor of CURSORS) {
          for (const sort of route.url.endsWith('/users') ? ['created_at', '-email'] : [undefined]) {
            const query = new URLSearchParams({ cursor, ...(sort ? { sort } : {}) });
            const res = await call(t, 'GET', `${route.url}?${query}`, { token });
            assertNo5xx(res, `${route.url}?${query}`);
            if (res.statusCode === 200) assert.ok((res.json().items as unknown[]).length <= total, route.url);
            else if (res.statusCode < 500)
              assert.ok([400, 422].includes(res.statusCode), `${route.url}: ${res.statusCode}`);
          }
        }
      }
      assert.deepEqual(await tenantState(t, acme.id), before);
    });

    test('injection strings as path ids and tenant slugs are plain not-found problems', async () => {
      const before = await tenantState(t, acme.id);
      for (const value of PAYLOADS.filter((p) => p !== '\u0000')) {
        const id = encodeURIComponent(value);
        for (const url of [
          `/t/acme/v1/users/${id}`,
          `/t/acme/v1/groups/${id}`,
          `/t/acme/v1/roles/${id}`,
          `/t/acme/v1/policies/${id}`,
          `/t/acme/v1/clients/${id}`,
          `/t/acme/v1/webhooks/${id}`,
          `/t/${id}/v1/users`,
          `/v1/tenants/${id}`,
        ]) {
          const res = await call(t, 'GET', url, {
            token: url.startsWith('/v1') ? await t.adminToken() : acme.adminToken,
          });
          assertNo5xx(res, url);
          if (res.statusCode < 500)
            assert.ok([400, 401, 404, 422].includes(res.statusCode), `${url}: ${res.statusCode} ${res.body}`);
        }
      }
      assert.deepEqual(await tenantState(t, acme.id), before);
    });

    test('none of the above answered a 5xx', {}, () => {
      assert.deepEqual(errors, []);
    });
  });
}
