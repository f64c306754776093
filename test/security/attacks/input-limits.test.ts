import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../../support/databases.ts';
import {
  countEvents,
  createTenantWithAdmin,
  createUser,
  snapshot,
  type TenantFixture,
} from '../../support/fixtures.ts';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  login,
  problemOf,
  startTestApp,
  type TestApp,
} from '../../support/test-app.ts';
import { call } from './attack-support.ts';

// Hostile request bodies: too large, too deep, and email addresses that look alike (Unicode case,
// normalisation forms, full-width and Cyrillic look-alikes). What holds is documented in docs/security.md:
// one account per address after trim + NFC + lower case; look-alikes in other scripts or widths are
// other addresses (no NFKC or confusable folding), and so other accounts.

const PASSPHRASE = 'a long and uncommon passphrase';
const deep = (levels: number, leaf = '1') => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

for (const variant of VARIANTS) {
  describe(`attack: oversized, deep and look-alike input (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let annToken: string;
    before(async () => {
      t = await startTestApp(variant, { env: { BODY_LIMIT_BYTES: '65536' } });
      acme = await createTenantWithAdmin(t, 'acme');
      const ann = await createUser(t, acme.id, { roles: ['user'] });
      annToken = await login(t.app, 'acme', ann.email, ann.password);
    });
    after(() => t.close());

    const raw = (method: 'POST' | 'PATCH', url: string, body: string, headers: Record<string, string> = {}) =>
      t.app.inject({
        method,
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });

    test('a body over BODY_LIMIT_BYTES is a 413 problem on public, authenticated and OAuth routes', async () => {
      const big = 'x'.repeat(70_000);
      const before = await snapshot(t, acme.id);
      problemOf(
        await raw('POST', '/t/acme/v1/auth/login', JSON.stringify({ email: 'a@b.test', password: big })),
        413,
        'IAM_ERR_PAYLOAD_TOO_LARGE',
      );
      problemOf(
        await raw('POST', '/t/acme/v1/auth/register', JSON.stringify({ email: 'a@b.test', password: big })),
        413,
        'IAM_ERR_PAYLOAD_TOO_LARGE',
      );
      problemOf(
        await raw('PATCH', '/t/acme/v1/me', JSON.stringify({ attributes: { big } }), {
          authorization: `Bearer ${annToken}`,
        }),
        413,
        'IAM_ERR_PAYLOAD_TOO_LARGE',
      );
      const form = await t.app.inject({
        method: 'POST',
        url: '/t/acme/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=refresh_token&refresh_token=${big}`,
      });
      assert.equal(form.statusCode, 413, form.body);
      assert.deepEqual(await snapshot(t, acme.id), before);
    });

    /** Bodies nested 10,000 deep, by route. */
    const nested = () => {
      const admin = { authorization: `Bearer ${acme.adminToken}` };
      const self = { authorization: `Bearer ${annToken}` };
      return {
        bounded: [
          [
            'login',
            'POST',
            '/t/acme/v1/auth/login',
            `{"email":"a@b.test","password":"x","x":${deep(10_000)}}`,
            {},
          ],
          [
            'authz context',
            'POST',
            '/t/acme/v1/authz/check',
            `{"subject":"${acme.adminId}","action":"a:b","resource":"r","context":${deep(10_000)}}`,
            admin,
          ],
          [
            'policy document',
            'POST',
            '/t/acme/v1/policies',
            `{"name":"deep","document":${deep(10_000)}}`,
            admin,
          ],
          [
            'simulate',
            'POST',
            '/t/acme/v1/authz/simulate',
            `{"policies":[${deep(10_000)}],"request":{"action":"a:b","resource":"r"}}`,
            admin,
          ],
          [
            'create user attributes',
            'POST',
            '/t/acme/v1/users',
            `{"email":"d@acme.test","x":${deep(10_000)}}`,
            admin,
          ],
        ],
        unbounded: [
          [
            'PATCH /me attributes (objects)',
            'PATCH',
            '/t/acme/v1/me',
            `{"attributes":${deep(10_000)}}`,
            self,
          ],
          [
            'PATCH /me attributes (arrays)',
            'PATCH',
            '/t/acme/v1/me',
            `{"attributes":{"a":${deepArray(10_000)}}}`,
            self,
          ],
          ['PATCH /settings', 'PATCH', '/t/acme/v1/settings', deep(10_000), admin],
          ['PATCH /settings, 3,000 levels', 'PATCH', '/t/acme/v1/settings', deep(3_000), admin],
        ],
      } as Record<string, [string, 'POST' | 'PATCH', string, string, Record<string, string>][]>;
    };

    test('10,000 levels of nesting are a 4xx problem where the body is bounded, and the service stays up', async () => {
      const before = await snapshot(t, acme.id);
      for (const [name, method, url, body, headers] of nested().bounded!) {
        const res = await raw(method, url, body, headers);
        assert.ok(
          res.statusCode >= 400 && res.statusCode < 500,
          `${name}: ${res.statusCode} ${res.body.slice(0, 300)}`,
        );
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/, name);
      }
      assert.deepEqual(await snapshot(t, acme.id), before);
      assert.equal((await call(t, 'GET', '/healthz')).statusCode, 200);
    });

    test('deep nesting in free-form JSON (profile attributes, settings merge patch) is a 4xx, not a 5xx', {}, async () => {
      const failures: string[] = [];
      for (const [name, method, url, body, headers] of nested().unbounded!) {
        const res = await raw(method, url, body, headers);
        if (res.statusCode >= 500) failures.push(`${name}: ${res.statusCode}`);
      }
      assert.equal((await call(t, 'GET', '/healthz')).statusCode, 200, 'the process survived');
      assert.deepEqual(failures, []);
    });

    test('case and Unicode normalisation variants of an address are one account', async () => {
      const users = async () => (await snapshot(t, acme.id)).users;
      const register = (email: string) =>
        call(t, 'POST', '/t/acme/v1/auth/register', { payload: { email, password: PASSPHRASE } });
      const nfc = 'jos\u00e9@acme.test';
      const nfd = 'jose\u0301@acme.test';
      assert.equal((await register(nfc)).statusCode, 202);
      const count = await users();
      const existing = await countEvents(t, 'user.registration_existing_email');
      for (const variant of [nfd, 'JOS\u00c9@ACME.TEST', 'JOSE\u0301@acme.test', ` ${nfc} `]) {
        assert.equal((await register(variant)).statusCode, 202, variant);
        assert.ok(await login(t.app, 'acme', variant, PASSPHRASE), `${variant} signs in to the one account`);
      }
      assert.equal(await users(), count, 'no second account');
      assert.equal(await countEvents(t, 'user.registration_existing_email'), existing + 4);
      // The Kelvin sign (U+212A) is canonically K, so NFC folds it: one account too.
      assert.equal((await register('kim@acme.test')).statusCode, 202);
      const kims = await users();
      assert.equal((await register('\u212Aim@acme.test')).statusCode, 202);
      assert.equal(await users(), kims);
      assert.ok(await login(t.app, 'acme', '\u212Aim@acme.test', PASSPHRASE));
    });

    test('full-width and Cyrillic look-alikes are other addresses: they never sign in to the original', async () => {
      assert.equal(
        (
          await call(t, 'POST', '/t/acme/v1/auth/register', {
            payload: { email: 'alice@acme.test', password: PASSPHRASE },
          })
        ).statusCode,
        202,
      );
      for (const lookalike of [
        '\uff41\uff4c\uff49\uff43\uff45@acme.test', // full-width "alice"
        '\u0430lice@acme.test', // Cyrillic a
        'al\u0456ce@acme.test', // Cyrillic i
        'alice@\u0430cme.test', // Cyrillic a in the domain
        'alice@acme\uff0etest', // full-width dot
        'AL\u0130CE@acme.test', // Turkish dotted capital I: lower-cases to i + U+0307
      ]) {
        const res = await call(t, 'POST', '/t/acme/v1/auth/login', {
          payload: { email: lookalike, password: PASSPHRASE },
        });
        problemOf(res, 401, 'IAM_ERR_INVALID_CREDENTIALS');
        const reg = await call(t, 'POST', '/t/acme/v1/auth/register', {
          payload: { email: lookalike, password: 'another long passphrase' },
        });
        assert.ok(reg.statusCode === 202 || reg.statusCode === 422, `${lookalike}: ${reg.statusCode}`);
      }
      assert.ok(await login(t.app, 'acme', 'alice@acme.test', PASSPHRASE), 'the original is untouched');
    });

    test('NUL characters and lone surrogates in text fields are 4xx problems, not 5xx', {}, async () => {
      const failures: string[] = [];
      for (const bad of ['a\u0000b', 'a\ud800b']) {
        for (const [method, url, payload, token] of [
          ['POST', '/t/acme/v1/auth/login', { email: `${bad}@acme.test`, password: 'x' }, undefined],
          ['POST', '/t/acme/v1/auth/password/forgot', { email: `${bad}@acme.test` }, undefined],
          ['PATCH', '/t/acme/v1/me', { name: bad }, annToken],
          ['PATCH', '/t/acme/v1/me', { attributes: { [bad]: bad } }, annToken],
          ['POST', '/t/acme/v1/groups', { name: bad }, acme.adminToken],
          [
            'POST',
            '/t/acme/v1/roles',
            { name: 'nul-role', description: bad, permissions: [] },
            acme.adminToken,
          ],
          ['POST', '/t/acme/v1/clients', { name: bad, permissions: [] }, acme.adminToken],
        ] as const) {
          const res = await call(t, method, url, { token, payload });
          if (res.statusCode >= 500)
            failures.push(`${method} ${url} ${JSON.stringify(payload)} → ${res.statusCode}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    test('NUL characters and lone surrogates in path segments are 422 problems, before any lookup', async () => {
      const operator = await login(t.app, 'platform', ADMIN_EMAIL, ADMIN_PASSWORD);
      for (const bad of ['a%00b', 'a%ED%A0%80b']) {
        for (const [method, url, token] of [
          ['DELETE', `/v1/tenants/${bad}`, operator],
          ['GET', `/v1/tenants/${bad}`, operator],
          ['GET', `/t/acme/v1/users/${bad}`, acme.adminToken],
          ['DELETE', `/t/acme/v1/groups/${bad}`, acme.adminToken],
        ] as const) {
          const res = await call(t, method, url, { token });
          assert.ok(res.statusCode < 500, `${method} ${url} → ${res.statusCode}`);
        }
      }
      problemOf(await call(t, 'DELETE', '/v1/tenants/a%00b', { token: operator }), 422, 'IAM_ERR_VALIDATION');
    });
  });
}
