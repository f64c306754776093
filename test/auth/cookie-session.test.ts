import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { VARIANTS } from '../support/databases.ts';
import {
  createTenantWithAdmin,
  createUser,
  setTenantSettings,
  type TenantFixture,
  type UserFixture,
} from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

const OWN = 'http://localhost:8080';
const SPA = 'https://spa.acme.test';

/** The cookies a response sets, by name, with their attributes. */
function setCookies(res: LightMyRequestResponse): Map<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(list.map((c) => [c.slice(0, c.indexOf('=')), c]));
}
const cookieValue = (cookie: string | undefined) =>
  cookie?.slice(cookie.indexOf('=') + 1, cookie.indexOf(';'));

for (const variant of VARIANTS) {
  describe(`refresh-token cookie mode and CSRF (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let ann: UserFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      await setTenantSettings(t, acme.id, { cors: { allowed_origins: [SPA] } });
      await new Promise((r) => setTimeout(r, 600)); // the tenant directory re-reads within half a second
      ann = await createUser(t, acme.id, { roles: ['user'] });
    });
    after(() => t.close());

    async function signIn() {
      const res = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/login',
        payload: { email: ann.email, password: ann.password, refresh_token_delivery: 'cookie' },
      });
      assert.equal(res.statusCode, 200, res.body);
      const cookies = setCookies(res);
      return {
        body: res.json() as { access_token: string; csrf_token: string; refresh_token?: string },
        cookies,
        jar: [...cookies].map(([name, c]) => `${name}=${cookieValue(c)}`).join('; '),
      };
    }
    const refresh = (headers: Record<string, string>, payload?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/refresh',
        headers,
        ...(payload ? { payload } : {}),
      });

    test('the refresh token goes into an HttpOnly, SameSite=Strict cookie, with a CSRF token in the body', async () => {
      const { body, cookies } = await signIn();
      assert.ok(body.access_token);
      assert.ok(body.csrf_token);
      assert.equal(body.refresh_token, undefined, 'scripts never see the refresh token');
      const rt = cookies.get('gh_rt_acme');
      assert.ok(rt);
      assert.match(rt, /HttpOnly/);
      assert.match(rt, /SameSite=Strict/);
      assert.match(rt, /Path=\//);
      assert.doesNotMatch(rt, /Secure/, 'plain http in development');
      assert.ok(cookies.get('gh_csrf'), 'the CSRF secret, signed');
    });

    test('a same-origin or listed-origin refresh with the token rotates the cookie', async () => {
      const { body, cookies, jar } = await signIn();
      const res = await refresh({ cookie: jar, 'x-csrf-token': body.csrf_token, origin: OWN });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const next = setCookies(res).get('gh_rt_acme');
      assert.notEqual(cookieValue(next), cookieValue(cookies.get('gh_rt_acme')), 'rotated');
      const me = await t.app.inject({
        method: 'GET',
        url: '/t/acme/v1/me',
        headers: { authorization: `Bearer ${res.json().access_token}` },
      });
      assert.equal(me.statusCode, 200);
      const fromSpa = await signIn();
      const spa = await refresh({
        cookie: fromSpa.jar,
        'x-csrf-token': fromSpa.body.csrf_token,
        origin: SPA,
      });
      assert.equal(spa.statusCode, 200, spa.body);
    });

    test('a cross-site form POST is refused, and so are a missing or wrong token', async () => {
      const { body, jar } = await signIn();
      const form = await refresh(
        {
          cookie: jar,
          origin: 'https://evil.test',
          'sec-fetch-site': 'cross-site',
          'content-type': 'application/x-www-form-urlencoded',
        },
        'grant=1',
      );
      problemOf(form, 403, 'IAM_ERR_CSRF');
      problemOf(
        await refresh({ cookie: jar, origin: 'https://evil.test', 'x-csrf-token': body.csrf_token }),
        403,
        'IAM_ERR_CSRF',
      );
      problemOf(await refresh({ cookie: jar, origin: OWN }), 403, 'IAM_ERR_CSRF');
      problemOf(await refresh({ cookie: jar, origin: OWN, 'x-csrf-token': 'forged' }), 403, 'IAM_ERR_CSRF');
      // None of that spent the refresh token: the genuine request still works.
      assert.equal(
        (await refresh({ cookie: jar, 'x-csrf-token': body.csrf_token, origin: OWN })).statusCode,
        200,
      );
    });

    test('without the cookie, or with a spent one, the session is over', async () => {
      problemOf(await refresh({ origin: OWN }), 401, 'IAM_ERR_UNAUTHENTICATED');
      const { body, jar } = await signIn();
      assert.equal(
        (await refresh({ cookie: jar, 'x-csrf-token': body.csrf_token, origin: OWN })).statusCode,
        200,
      );
      const replay = await refresh({ cookie: jar, 'x-csrf-token': body.csrf_token, origin: OWN });
      problemOf(replay, 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.match(
        String(setCookies(replay).get('gh_rt_acme')),
        /Expires=Thu, 01 Jan 1970/,
        'the cookie is cleared',
      );
    });

    test('bearer API calls need no CSRF token, and logout clears the cookie', async () => {
      const { body } = await signIn();
      const me = await t.app.inject({
        method: 'GET',
        url: '/t/acme/v1/me',
        headers: { authorization: `Bearer ${body.access_token}`, origin: 'https://evil.test' },
      });
      assert.equal(me.statusCode, 200);
      const out = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/logout',
        headers: { authorization: `Bearer ${body.access_token}` },
      });
      assert.equal(out.statusCode, 204);
      assert.match(String(setCookies(out).get('gh_rt_acme')), /Expires=Thu, 01 Jan 1970/);
    });
  });
}

describe('cookies over https', () => {
  test('use the __Host- prefix and Secure', async () => {
    const t = await startTestApp(VARIANTS[0]!, { env: { PUBLIC_URL: 'https://id.example.test' } });
    try {
      const acme = await createTenantWithAdmin(t, 'acme');
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const res = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/login',
        payload: { email: user.email, password: user.password, refresh_token_delivery: 'cookie' },
      });
      const rt = setCookies(res).get('__Host-gh_rt_acme');
      assert.ok(rt, res.headers['set-cookie']?.toString());
      assert.match(rt, /Secure/);
      assert.ok(setCookies(res).get('__Host-gh_csrf'));
    } finally {
      await t.close();
    }
  });
});
