import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { VARIANTS } from '../../support/databases.ts';
import {
  createTenantWithAdmin,
  createUser,
  type TenantFixture,
  type UserFixture,
} from '../../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../../support/test-app.ts';
import { patchSettings } from './attack-support.ts';

// CORS and CSRF bypass attempts (docs/cors-and-headers.md, docs/auth.md "Browser applications"):
// look-alike origins get no CORS grant, and the refresh-token cookie answers only a request that
// carries the CSRF token of the same browser, from Gatehouse's own or a listed origin.

const OWN = 'http://localhost:8080';
const SPA = 'https://spa.acme.test';
const LOOKALIKES = [
  'https://spa.acme.test.evil.com',
  'https://evil.com/https://spa.acme.test',
  'https://evilspa.acme.test',
  'https://spa-acme.test',
  'http://spa.acme.test',
  'https://spa.acme.test:8443',
  'https://spa.acme.test:443',
  'https://SPA.ACME.TEST',
  'https://spa.acme.test.',
  'https://spa.acme.test/',
  `${SPA}, https://evil.com`,
  'null',
  'file://',
  '*',
];

function setCookies(res: LightMyRequestResponse): Map<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(list.map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1, c.indexOf(';'))]));
}
const jarOf = (cookies: Map<string, string>) => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');

for (const variant of VARIANTS) {
  describe(`attack: CORS and CSRF bypass (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let ann: UserFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      await createTenantWithAdmin(t, 'globex');
      await patchSettings(t, 'acme', acme.adminToken, { cors: { allowed_origins: [SPA] } });
      ann = await createUser(t, acme.id, { roles: ['user'] });
    });
    after(() => t.close());

    /** A cookie-mode sign-in; `cookie` replays a browser's existing cookies (its CSRF secret). */
    async function signIn(cookie?: string) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/login',
        payload: { email: ann.email, password: ann.password, refresh_token_delivery: 'cookie' },
        ...(cookie ? { headers: { cookie } } : {}),
      });
      assert.equal(res.statusCode, 200, res.body);
      const cookies = setCookies(res);
      return { csrf: res.json().csrf_token as string, cookies, access: res.json().access_token as string };
    }
    const refresh = (slug: string, headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: `/t/${slug}/v1/auth/refresh`, headers });

    test('look-alike origins get no CORS grant, on preflights and on actual requests', async () => {
      const ok = await t.app.inject({
        method: 'OPTIONS',
        url: '/t/acme/v1/me',
        headers: { origin: SPA, 'access-control-request-method': 'GET' },
      });
      assert.equal(ok.headers['access-control-allow-origin'], SPA, 'the listed origin itself is granted');
      for (const origin of LOOKALIKES) {
        const pre = await t.app.inject({
          method: 'OPTIONS',
          url: '/t/acme/v1/me',
          headers: {
            origin,
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'authorization',
          },
        });
        assert.ok(pre.statusCode < 500);
        assert.equal(pre.headers['access-control-allow-origin'], undefined, `preflight ${origin}`);
        assert.equal(pre.headers['access-control-allow-credentials'], undefined, origin);
        const actual = await t.app.inject({
          method: 'GET',
          url: '/t/acme/v1/me',
          headers: { origin, authorization: `Bearer ${acme.adminToken}` },
        });
        assert.equal(actual.headers['access-control-allow-origin'], undefined, `GET ${origin}`);
      }
      // A tenant's origin is not granted by another tenant, nor on platform routes.
      for (const url of ['/t/globex/v1/me', '/v1/tenants']) {
        const res = await t.app.inject({
          method: 'OPTIONS',
          url,
          headers: { origin: SPA, 'access-control-request-method': 'GET' },
        });
        assert.equal(res.headers['access-control-allow-origin'], undefined, url);
      }
    });

    test('the refresh cookie is refused from look-alike origins and cross-site, even with the right CSRF token', async () => {
      const { csrf, cookies } = await signIn();
      const jar = jarOf(cookies);
      for (const origin of LOOKALIKES) {
        problemOf(await refresh('acme', { cookie: jar, 'x-csrf-token': csrf, origin }), 403, 'IAM_ERR_CSRF');
      }
      // Fetch Metadata: a cross-site request without a listed Origin is refused.
      problemOf(
        await refresh('acme', { cookie: jar, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' }),
        403,
        'IAM_ERR_CSRF',
      );
      problemOf(
        await refresh('acme', {
          cookie: jar,
          'x-csrf-token': csrf,
          'sec-fetch-site': 'cross-site',
          origin: 'https://evil.test',
        }),
        403,
        'IAM_ERR_CSRF',
      );
      // None of those spent the refresh token.
      assert.equal(
        (await refresh('acme', { cookie: jar, 'x-csrf-token': csrf, origin: OWN })).statusCode,
        200,
      );
    });

    test("another browser's CSRF token, a forged one, or a mismatched secret cookie does not pass", async () => {
      const victim = await signIn();
      const attacker = await signIn();
      const jar = jarOf(victim.cookies);
      for (const token of [
        attacker.csrf,
        `${victim.csrf}x`,
        victim.csrf.split('').reverse().join(''),
        '',
        'null',
      ]) {
        problemOf(
          await refresh('acme', { cookie: jar, 'x-csrf-token': token, origin: OWN }),
          403,
          'IAM_ERR_CSRF',
        );
      }
      // The attacker's own secret cookie with the victim's refresh cookie: the pair must match.
      const mixed = `gh_rt_acme=${victim.cookies.get('gh_rt_acme')}; gh_csrf=${attacker.cookies.get('gh_csrf')}`;
      problemOf(
        await refresh('acme', { cookie: mixed, 'x-csrf-token': victim.csrf, origin: OWN }),
        403,
        'IAM_ERR_CSRF',
      );
      // Without the secret cookie at all.
      problemOf(
        await refresh('acme', {
          cookie: `gh_rt_acme=${victim.cookies.get('gh_rt_acme')}`,
          'x-csrf-token': victim.csrf,
        }),
        403,
        'IAM_ERR_CSRF',
      );
      assert.equal(
        (await refresh('acme', { cookie: jar, 'x-csrf-token': victim.csrf, origin: OWN })).statusCode,
        200,
      );
    });

    test('what holds by design: a listed Origin with Sec-Fetch-Site cross-site passes, and tokens are per browser', async () => {
      // A listed origin is a different site from Gatehouse, so its requests are cross-site: the Origin
      // (which a browser does not let a page forge) decides, and the CSRF token must still match.
      const first = await signIn();
      const listed = await refresh('acme', {
        cookie: jarOf(first.cookies),
        'x-csrf-token': first.csrf,
        origin: SPA,
        'sec-fetch-site': 'cross-site',
      });
      assert.equal(listed.statusCode, 200, listed.body);
      // The double-submit token is bound to the browser's CSRF secret cookie, not to one session: a
      // second sign-in in the same browser answers a token that also works with the first session's cookie.
      const a = await signIn();
      const b = await signIn(`gh_csrf=${a.cookies.get('gh_csrf')}`);
      const sameBrowser = await refresh('acme', {
        cookie: `gh_rt_acme=${a.cookies.get('gh_rt_acme')}; gh_csrf=${a.cookies.get('gh_csrf')}`,
        'x-csrf-token': b.csrf,
        origin: OWN,
      });
      assert.equal(sameBrowser.statusCode, 200, sameBrowser.body);
    });

    test("a tenant's refresh cookie is no credential at another tenant, and bearer calls ignore cookies", async () => {
      const { csrf, cookies, access } = await signIn();
      const jar = jarOf(cookies);
      problemOf(
        await refresh('globex', { cookie: jar, 'x-csrf-token': csrf, origin: OWN }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      // Cookies never authenticate an API call: without the bearer token it is a 401.
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/acme/v1/me', headers: { cookie: jar, origin: OWN } }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      assert.equal(
        (
          await t.app.inject({
            method: 'GET',
            url: '/t/acme/v1/me',
            headers: { authorization: `Bearer ${access}` },
          })
        ).statusCode,
        200,
      );
    });
  });
}
