import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { solvedCaptcha } from '../support/captcha.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithSettings, createUser } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  assertPage,
  assertRedirect,
  browser,
  csrfOf,
  errorOf,
  type PageBrowser,
  PUBLIC_URL,
} from './page-client.ts';

const WIDGET = '<script src="../../assets/captcha.js" defer></script>';

for (const variant of VARIANTS) {
  describe(`the captcha on the hosted pages over HTTP (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      // A small difficulty: the solving itself is the browser test's business.
      t = await startTestApp(variant, { env: { PUBLIC_URL, ALTCHA_MAX_NUMBER: '2000' } });
    });
    after(() => t.close());

    const solved = (slug: string) => solvedCaptcha(t.app, slug);

    const signIn = (b: PageBrowser, slug: string, form: Record<string, string>) =>
      b.submit(`/t/${slug}/sign-in`, form);

    test('three wrong passwords bring the widget; the right password needs a solved challenge, once', async () => {
      const id = await createTenantWithSettings(t, 'pages-captcha', { captcha: { account_threshold: 3 } });
      const user = await createUser(t, id, { roles: ['user'] });
      const b = browser(t);
      for (let i = 1; i <= 3; i++) {
        const wrong = await signIn(b, 'pages-captcha', { email: user.email, password: 'not the password' });
        assertPage(wrong, 401);
        assert.equal(errorOf(wrong), 'The email or password is incorrect.');
        // The third failure makes the captcha due: that page already carries the widget.
        assert.equal(wrong.body.includes(WIDGET), i === 3, `failure ${i}`);
      }
      const withWidget = await b.get('/t/pages-captcha/sign-in');
      assert.doesNotMatch(withWidget.body, /<script/, 'the address alone is not over its threshold');
      const unsolved = await signIn(b, 'pages-captcha', { email: user.email, password: user.password });
      assertPage(unsolved, 400);
      assert.match(errorOf(unsolved) ?? '', /Wait until the check below says it is done/);
      assert.ok(unsolved.body.includes(WIDGET));
      assert.match(unsolved.body, /data-challenge="v1\/captcha\/challenge"/);
      const csp = String(unsolved.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'; connect-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(b.jar.has('gh_page_pages-captcha'), false);

      const garbage = await signIn(b, 'pages-captcha', {
        email: user.email,
        password: user.password,
        captcha: 'x',
      });
      assertPage(garbage, 400);
      assert.match(errorOf(garbage) ?? '', /The check did not pass/);

      const solution = await solved('pages-captcha');
      const page = await b.get('/t/pages-captcha/sign-in');
      const ok = await b.post('/t/pages-captcha/sign-in', {
        _csrf: csrfOf(page),
        email: user.email,
        password: user.password,
        captcha: solution,
      });
      assertRedirect(ok, 'account');
      // A solution works once: replaying it after new failures is refused.
      const other = browser(t);
      for (let i = 0; i < 3; i++)
        await signIn(other, 'pages-captcha', { email: user.email, password: 'wrong again' });
      const replay = await signIn(other, 'pages-captcha', {
        email: user.email,
        password: user.password,
        captcha: solution,
      });
      assertPage(replay, 400);
      assert.match(errorOf(replay) ?? '', /The check did not pass/);

      const script = await t.app.inject({ method: 'GET', url: '/assets/captcha.js' });
      assert.equal(script.statusCode, 200);
      assert.match(String(script.headers['content-type']), /^text\/javascript/);
      assert.equal(script.headers['x-content-type-options'], 'nosniff');
    });

    test('forgot password: the same gate; the widget where it is due, the email once solved', async () => {
      const id = await createTenantWithSettings(t, 'pages-captcha-forgot', {
        captcha: { account_threshold: 2 },
      });
      const user = await createUser(t, id, { roles: ['user'] });
      const b = browser(t);
      for (let i = 0; i < 2; i++)
        await signIn(b, 'pages-captcha-forgot', { email: user.email, password: 'wrong' });
      const ask = (form: Record<string, string>) => b.submit('/t/pages-captcha-forgot/forgot-password', form);
      const refused = await ask({ email: user.email });
      assertPage(refused, 400);
      assert.ok(refused.body.includes(WIDGET));
      const sent = await ask({ email: user.email, captcha: await solved('pages-captcha-forgot') });
      assertPage(sent, 200);
      assert.match(sent.body, /If an account uses that address/);
      assert.doesNotMatch(sent.body, /<script/);
    });

    test('a third-party captcha provider: no widget and no script; the person is asked to wait', async () => {
      const id = await createTenantWithSettings(t, 'pages-captcha-3p', {
        captcha: { account_threshold: 1, provider: 'turnstile', site_key: 'site', secret_key: 'secret' },
      });
      const user = await createUser(t, id, { roles: ['user'] });
      const b = browser(t);
      const wrong = await signIn(b, 'pages-captcha-3p', { email: user.email, password: 'wrong' });
      assert.doesNotMatch(wrong.body, /<script/);
      const refused = await signIn(b, 'pages-captcha-3p', { email: user.email, password: user.password });
      assertPage(refused, 400);
      assert.equal(errorOf(refused), 'Too many failed attempts from here. Wait a while, then try again.');
      assert.doesNotMatch(refused.body, /<script/);
      assert.doesNotMatch(String(refused.headers['content-security-policy']), /script-src/);
    });
  });
}
