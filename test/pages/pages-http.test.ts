import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PAGE_CSP } from '../../src/pages/render.ts';
import { findUserByEmail } from '../../src/users/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin } from '../support/fixtures.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.ts';
import { assertPage, browser, csrfOf, errorOf, PUBLIC_URL } from './page-client.ts';

const APP_ORIGIN = 'https://app.example.test';

for (const variant of VARIANTS) {
  describe(`hosted pages over HTTP (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant, { env: { PUBLIC_URL } });
    });
    after(() => t.close());

    const signIn = async (b: ReturnType<typeof browser>, form: Record<string, string>, slug = 'platform') => {
      const page = await b.get(`/t/${slug}/sign-in`);
      return b.post(`/t/${slug}/sign-in`, { _csrf: csrfOf(page), ...form });
    };

    test('pages carry the strict CSP and no script; the stylesheet is cached and nosniff', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/t/platform/sign-in' });
      assertPage(res, 200);
      assert.equal(res.headers['content-security-policy'], PAGE_CSP);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.doesNotMatch(res.body, /<script/i);
      const css = await t.app.inject({ method: 'GET', url: '/assets/pages.css' });
      assert.equal(css.statusCode, 200);
      assert.match(String(css.headers['content-type']), /^text\/css/);
      assert.equal(css.headers['x-content-type-options'], 'nosniff');
      assert.match(String(css.headers['cache-control']), /max-age=\d+/);
      // Without an accent colour the tenant's own stylesheet is empty (and no page links it).
      const brand = await t.app.inject({ method: 'GET', url: '/t/platform/brand.css' });
      assert.equal(brand.statusCode, 200);
      assert.match(String(brand.headers['content-type']), /^text\/css/);
      assert.equal(brand.body, '');
      assert.doesNotMatch(res.body, /brand\.css/);
      // The pages stay out of the API description.
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      assert.equal(doc.paths['/t/{tenant}/sign-in'], undefined);
    });

    test('an unknown tenant is a 404 page, not a problem document', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/t/no-such-tenant/sign-in' });
      assertPage(res, 404);
      assert.equal(res.headers['content-security-policy'], PAGE_CSP);
    });

    test('every POST needs the CSRF token: missing or forged is a 403 page and signs nobody in', async () => {
      for (const url of [
        'sign-in',
        'two-factor',
        'register',
        'forgot-password',
        'reset-password',
        'accept-invitation',
        'verify-email',
        'sign-out',
        'profile',
        'end-session',
        'end-other-sessions',
        'change-password',
        'mfa-setup',
        'mfa-confirm',
        'recovery-codes',
        'mfa-disable',
      ]) {
        const b = browser(t);
        await b.get('/t/platform/sign-in');
        const form = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, token: 'x' };
        const missing = await b.post(`/t/platform/${url}`, form);
        assertPage(missing, 403);
        assert.match(errorOf(missing) ?? '', /form has expired/);
        const forged = await b.post(`/t/platform/${url}`, { ...form, _csrf: 'forged-token' });
        assertPage(forged, 403);
        assert.equal(b.jar.has('gh_page_platform'), false);
      }
      // A token without its secret cookie (another browser's token) is refused too.
      const mine = browser(t);
      const token = csrfOf(await mine.get('/t/platform/sign-in'));
      const other = browser(t);
      assertPage(
        await other.post('/t/platform/sign-in', {
          _csrf: token,
          email: ADMIN_EMAIL,
          password: ADMIN_PASSWORD,
        }),
        403,
      );
    });

    test('a cross-site POST is refused even with a valid token', async () => {
      const b = browser(t);
      const token = csrfOf(await b.get('/t/platform/sign-in'));
      const form = { _csrf: token, email: ADMIN_EMAIL, password: ADMIN_PASSWORD };
      assertPage(await b.post('/t/platform/sign-in', form, { 'sec-fetch-site': 'cross-site' }), 403);
      assertPage(await b.post('/t/platform/sign-in', form, { 'sec-fetch-site': 'same-site' }), 403);
      assertPage(
        await b.post('/t/platform/sign-in', form, {
          origin: 'https://evil.example',
          'sec-fetch-site': 'none',
        }),
        403,
      );
      assertPage(await b.post('/t/platform/sign-in', form, { origin: 'null' }), 403);
      assert.equal(b.jar.has('gh_page_platform'), false);
      // The same form from our own origin works.
      const ok = await b.post('/t/platform/sign-in', form);
      assert.equal(ok.statusCode, 303, ok.body);
    });

    test('sign in, see the account, sign out', async () => {
      const b = browser(t);
      const res = await signIn(b, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, 'account');
      const set = String(res.headers['set-cookie']);
      assert.match(set, /gh_page_platform=[^;]+;.*HttpOnly/i);
      assert.match(set, /SameSite=Lax/i);
      const account = await b.get('/t/platform/account');
      assertPage(account, 200);
      assert.ok(account.body.includes(ADMIN_EMAIL));
      const stolen = b.jar.get('gh_page_platform')!;
      const out = await b.post('/t/platform/sign-out', { _csrf: csrfOf(account) });
      assert.equal(out.statusCode, 303);
      assert.equal(out.headers.location, 'sign-in');
      assert.equal(b.jar.has('gh_page_platform'), false);
      // The session itself ended: the old cookie value is worthless now.
      const replay = await t.app.inject({
        method: 'GET',
        url: '/t/platform/account',
        headers: { cookie: `gh_page_platform=${stolen}` },
      });
      assert.equal(replay.statusCode, 303);
      assert.equal(replay.headers.location, 'sign-in');
      // …and the dead cookie is cleared on the way.
      assert.match(String(replay.headers['set-cookie']), /^gh_page_platform=;.*Max-Age=0/);
    });

    test('a tampered session cookie counts as none', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/t/platform/account',
        headers: { cookie: 'gh_page_platform=made-up.value' },
      });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, 'sign-in');
    });

    test('return_to: a listed origin is followed, anything else goes to the account page', async () => {
      const patch = await t.app.inject({
        method: 'PATCH',
        url: '/t/platform/v1/settings',
        headers: {
          authorization: `Bearer ${await t.adminToken()}`,
          'content-type': 'application/merge-patch+json',
        },
        payload: JSON.stringify({ hosted_pages: { allowed_redirect_origins: [APP_ORIGIN] } }),
      });
      assert.equal(patch.statusCode, 200, patch.body);
      // Settings reach the tenant directory's cache within a second.
      let csp = '';
      for (let i = 0; i < 50 && !csp.includes(APP_ORIGIN); i++) {
        await new Promise((r) => setTimeout(r, 100));
        csp = String(
          (await t.app.inject({ method: 'GET', url: '/t/platform/sign-in' })).headers[
            'content-security-policy'
          ],
        );
      }
      // The listed origin joins form-action, or the browser would block the redirect after the post.
      assert.ok(csp.includes(`form-action 'self' ${APP_ORIGIN};`), csp);
      const cases: [string, string][] = [
        [`${APP_ORIGIN}/after?x=1`, `${APP_ORIGIN}/after?x=1`],
        ['https://evil.example/after', 'account'],
        ['//evil.example/after', 'account'],
        ['/t/platform/account', 'account'],
        ['javascript:alert(1)', 'account'],
        [`${APP_ORIGIN}.evil.example/`, 'account'],
        [`https://app.example.test@evil.example/`, 'account'],
        ['http://app.example.test/', 'account'],
      ];
      for (const [returnTo, expected] of cases) {
        const b = browser(t);
        const page = await b.get(`/t/platform/sign-in?return_to=${encodeURIComponent(returnTo)}`);
        const res = await b.post('/t/platform/sign-in', {
          _csrf: csrfOf(page),
          return_to: returnTo,
          email: ADMIN_EMAIL,
          password: ADMIN_PASSWORD,
        });
        assert.equal(res.statusCode, 303, `${returnTo}: ${res.body}`);
        assert.equal(res.headers.location, expected, returnTo);
      }
    });

    test('values are escaped wherever they land in the page', async () => {
      const evil = '"><script>alert(1)</script>';
      const res = await t.app.inject({
        method: 'GET',
        url: `/t/platform/sign-in?return_to=${encodeURIComponent(evil)}`,
      });
      assertPage(res, 200);
      assert.doesNotMatch(res.body, /<script/);
      assert.ok(res.body.includes('&quot;&gt;&lt;script&gt;'));
    });

    test('unknown email and wrong password read exactly alike', async () => {
      const unknown = await signIn(browser(t), { email: 'nobody@example.test', password: 'whatever it is' });
      const wrong = await signIn(browser(t), { email: ADMIN_EMAIL, password: 'not the password' });
      assertPage(unknown, wrong.statusCode);
      assert.equal(errorOf(unknown), errorOf(wrong));
      assert.equal(errorOf(wrong), 'The email or password is incorrect.');
      // The typed address comes back (escaped); the password never does.
      assert.ok(wrong.body.includes(`value="${ADMIN_EMAIL}"`));
      assert.ok(!wrong.body.includes('not the password'));
    });

    test('registration: creates the account; a filled honeypot creates nothing; same page both ways', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages-reg');
      const register = async (form: Record<string, string>) => {
        const b = browser(t);
        const page = await b.get('/t/pages-reg/register');
        assertPage(page, 200);
        return b.post('/t/pages-reg/register', { _csrf: csrfOf(page), ...form });
      };
      const find = (email: string) =>
        t.database.withTenant(tenant.id, (trx) => findUserByEmail(trx, tenant.id, email));
      const person = await register({
        email: 'ada@example.test',
        name: 'Ada',
        password: 'a long passphrase of hers',
      });
      assertPage(person, 200);
      assert.ok(await find('ada@example.test'));
      const bot = await register({
        email: 'bot@example.test',
        name: 'Bot',
        password: 'a long passphrase of its own',
        website: 'http://spam.example',
      });
      assertPage(bot, 200);
      assert.equal(bot.body.replace(/value="[^"]*"/g, ''), person.body.replace(/value="[^"]*"/g, ''));
      assert.equal(await find('bot@example.test'), undefined);
      const again = await register({ email: 'ada@example.test', password: 'another long passphrase' });
      assert.equal(again.body, person.body);
      const weak = await register({ email: 'bob@example.test', password: 'short' });
      assertPage(weak, 422);
      assert.match(errorOf(weak) ?? '', /at least 12 characters/);
    });

    test('registration closed: 404 page for the form and the post', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages-closed');
      const patch = await t.app.inject({
        method: 'PATCH',
        url: '/t/pages-closed/v1/settings',
        headers: {
          authorization: `Bearer ${tenant.adminToken}`,
          'content-type': 'application/merge-patch+json',
        },
        payload: JSON.stringify({ registration: { enabled: false } }),
      });
      assert.equal(patch.statusCode, 200, patch.body);
      let res = await t.app.inject({ method: 'GET', url: '/t/pages-closed/register' });
      for (let i = 0; i < 50 && res.statusCode === 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        res = await t.app.inject({ method: 'GET', url: '/t/pages-closed/register' });
      }
      assertPage(res, 404);
      const b = browser(t);
      const token = csrfOf(await b.get('/t/pages-closed/sign-in'));
      assertPage(
        await b.post('/t/pages-closed/register', {
          _csrf: token,
          email: 'x@example.test',
          password: 'a long passphrase here',
        }),
        404,
      );
      assert.doesNotMatch((await b.get('/t/pages-closed/sign-in')).body, /Create an account/);
    });

    test('forgot password answers the same for unknown addresses; bad reset and verify links are pages', async () => {
      const b = browser(t);
      const token = csrfOf(await b.get('/t/platform/forgot-password'));
      const known = await b.post('/t/platform/forgot-password', { _csrf: token, email: ADMIN_EMAIL });
      const unknown = await b.post('/t/platform/forgot-password', {
        _csrf: token,
        email: 'nobody@example.test',
      });
      assertPage(known, 200);
      assert.equal(known.body, unknown.body);
      const reset = await b.get('/t/platform/reset-password?token=not-a-real-token');
      assertPage(reset, 200);
      const bad = await b.post('/t/platform/reset-password', {
        _csrf: csrfOf(reset),
        token: 'not-a-real-token',
        password: 'a brand new passphrase',
      });
      assertPage(bad, 400);
      assert.match(errorOf(bad) ?? '', /link/);
      // The verification landing page spends nothing on GET.
      const verify = await b.get('/t/platform/verify-email?token=abc');
      assertPage(verify, 200);
      assert.match(verify.body, /method="post" action="verify-email"/);
      const spent = await b.post('/t/platform/verify-email', { _csrf: csrfOf(verify), token: 'abc' });
      assert.match(errorOf(spent) ?? '', /link/);
    });
  });
}
