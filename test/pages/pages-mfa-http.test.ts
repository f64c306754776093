import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createTenantWithSettings, createUser } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  assertPage,
  assertRedirect,
  browser,
  codeFor,
  errorOf,
  fieldErrorOf,
  noticeOf,
  type PageBrowser,
  PUBLIC_URL,
  recoveryCodesOf,
  secretOf,
} from './page-client.ts';

const APP_ORIGIN = 'https://app.example.test';

for (const variant of VARIANTS) {
  describe(`hosted MFA pages over HTTP (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant, { env: { PUBLIC_URL } });
    });
    after(() => t.close());

    const signIn = (b: PageBrowser, slug: string, form: Record<string, string>) =>
      b.submit(`/t/${slug}/sign-in`, form);

    /** Starts an enrolment on the pages and returns the key the page shows. */
    async function startEnrolment(b: PageBrowser, slug: string, form: Record<string, string> = {}) {
      const scan = await b.submit(`/t/${slug}/mfa-setup`, form);
      assertPage(scan, 200);
      assert.match(scan.body, /<img class="qr" src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
      assert.match(scan.body, /href="otpauth:\/\/totp\//);
      return secretOf(scan);
    }

    test('enrolment: QR code and key, wrong codes tied to the field, recovery codes once, no replay', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages-mfa');
      const b = browser(t);
      assertRedirect(
        await signIn(b, tenant.slug, { email: tenant.adminEmail, password: tenant.adminPassword }),
        'account',
      );
      assert.match(
        (await b.get('/t/pages-mfa/account')).body,
        /Two-step verification is <strong>off<\/strong>/,
      );
      // Opening the page makes nothing: only its button starts an enrolment.
      const start = await b.get('/t/pages-mfa/mfa-setup');
      assertPage(start, 200);
      assert.doesNotMatch(start.body, /name="code"/);
      const secret = await startEnrolment(b, tenant.slug);

      const confirm = (code: string) =>
        b.submit('/t/pages-mfa/account', { code }, '/t/pages-mfa/mfa-confirm');
      const malformed = await confirm('12ab');
      assertPage(malformed, 422);
      assert.equal(fieldErrorOf(malformed, 'code'), 'Enter the 6-digit code your app shows.');
      const wrong = await confirm(codeFor(secret, -20));
      assertPage(wrong, 401);
      assert.equal(fieldErrorOf(wrong, 'code'), 'The code is wrong, expired or was already used.');
      assert.match(wrong.body, /href="mfa-setup">Start again/);

      const code = codeFor(secret);
      const done = await confirm(code);
      assertPage(done, 200);
      const codes = recoveryCodesOf(done);
      assert.equal(codes.length, 10);
      assert.match(done.body, /href="account">I have saved them/);
      // The same code again: the enrolment is finished, nothing new is shown.
      const replay = await confirm(code);
      assertPage(replay, 409);
      assert.equal(errorOf(replay), 'No authenticator app is waiting for this any more. Start again.');
      assert.equal(recoveryCodesOf(replay).length, 0);
      assert.match(
        (await b.get('/t/pages-mfa/account')).body,
        /<strong>on<\/strong>, with 10 recovery codes left/,
      );

      // Signing in again asks for the second step; a recovery code answers it.
      await b.submit('/t/pages-mfa/account', {}, '/t/pages-mfa/sign-out');
      const step = await signIn(b, tenant.slug, { email: tenant.adminEmail, password: tenant.adminPassword });
      assertPage(step, 200);
      const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(step.body)![1]!;
      const back = await b.post('/t/pages-mfa/two-factor', {
        _csrf: /name="_csrf" value="([^"]+)"/.exec(step.body)![1]!,
        mfa_token: mfaToken,
        recovery_code: codes[0]!,
      });
      assertRedirect(back, 'account');

      // New recovery codes need a current code; the old ones stop working.
      const badRegen = await b.submit('/t/pages-mfa/recovery-codes', { code: codeFor(secret, -20) });
      assertPage(badRegen, 401);
      assert.ok(fieldErrorOf(badRegen, 'code'));
      const regen = await b.submit('/t/pages-mfa/recovery-codes', { code: codeFor(secret, 1) });
      assertPage(regen, 200);
      const fresh = recoveryCodesOf(regen);
      assert.equal(fresh.length, 10);

      // Turning it off needs the password and a code or recovery code.
      const wrongPassword = await b.submit('/t/pages-mfa/mfa-disable', {
        password: 'not it at all',
        code: fresh[0]!,
      });
      assertPage(wrongPassword, 403);
      assert.equal(fieldErrorOf(wrongPassword, 'password'), 'The current password is not correct.');
      const oldCode = await b.submit('/t/pages-mfa/mfa-disable', {
        password: tenant.adminPassword,
        code: codes[1]!,
      });
      assertPage(oldCode, 401);
      assert.ok(fieldErrorOf(oldCode, 'code'));
      assertRedirect(
        await b.submit('/t/pages-mfa/mfa-disable', { password: tenant.adminPassword, code: fresh[0]! }),
        'account?done=mfa-off',
      );
      const account = await b.get('/t/pages-mfa/account?done=mfa-off');
      assert.equal(noticeOf(account), 'Two-step verification is off.');
      assert.match(account.body, /Two-step verification is <strong>off<\/strong>/);
      // With nothing enrolled, the management pages lead to the set-up.
      assertRedirect(await b.get('/t/pages-mfa/mfa-disable'), 'mfa-setup');
    });

    test('replacing an enrolled authenticator needs a code from the current one', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages-mfa-swap');
      const b = browser(t);
      await signIn(b, tenant.slug, { email: tenant.adminEmail, password: tenant.adminPassword });
      const first = await startEnrolment(b, tenant.slug);
      assertPage(
        await b.submit(
          '/t/pages-mfa-swap/account',
          { code: codeFor(first) },
          '/t/pages-mfa-swap/mfa-confirm',
        ),
        200,
      );
      const start = await b.get('/t/pages-mfa-swap/mfa-setup');
      assert.match(start.body, /<h1>Replace your authenticator app<\/h1>/);
      const refused = await b.submit('/t/pages-mfa-swap/mfa-setup', {});
      assertPage(refused, 401);
      assert.ok(fieldErrorOf(refused, 'code'));
      const second = await startEnrolment(b, tenant.slug, { code: codeFor(first, 1) });
      assert.notEqual(second, first);
    });

    test('a tenant that requires MFA leads the sign-in to enrolment, and nothing else until it is done', async () => {
      const id = await createTenantWithSettings(t, 'pages-mfa-req', {
        mfa: 'required',
        hosted_pages: { allowed_redirect_origins: [APP_ORIGIN] },
      });
      const user = await createUser(t, id, { roles: ['user'] });
      const b = browser(t);
      const returnTo = `${APP_ORIGIN}/welcome`;
      const page = await b.get(`/t/pages-mfa-req/sign-in?return_to=${encodeURIComponent(returnTo)}`);
      const res = await b.post('/t/pages-mfa-req/sign-in', {
        _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!,
        email: user.email,
        password: user.password,
        return_to: returnTo,
      });
      assertRedirect(res, `mfa-setup?return_to=${encodeURIComponent(returnTo)}`);
      for (const url of ['account', 'change-password', 'recovery-codes'])
        assertRedirect(await b.get(`/t/pages-mfa-req/${url}`), 'mfa-setup');
      assertRedirect(
        await b.submit('/t/pages-mfa-req/mfa-setup', { name: 'x' }, '/t/pages-mfa-req/profile'),
        'mfa-setup',
      );

      const start = await b.get(`/t/pages-mfa-req/mfa-setup?return_to=${encodeURIComponent(returnTo)}`);
      assert.match(noticeOf(start) ?? '', /requires two-step verification/);
      assert.match(start.body, /action="sign-out"/);
      const secret = await startEnrolment(b, 'pages-mfa-req', { return_to: returnTo });
      const done = await b.submit(
        '/t/pages-mfa-req/mfa-setup',
        { code: codeFor(secret), return_to: returnTo },
        '/t/pages-mfa-req/mfa-confirm',
      );
      assertPage(done, 200);
      assert.ok(done.body.includes(`href="${returnTo}"`), 'the end of the flow goes back to return_to');
      assertPage(await b.get('/t/pages-mfa-req/account'), 200);
      // Required means it cannot be turned off here.
      const disable = await b.get('/t/pages-mfa-req/mfa-disable');
      assertPage(disable, 409);
      assert.doesNotMatch(disable.body, /action="mfa-disable"/);
    });

    test('where the tenant turned MFA off, its pages do not exist', async () => {
      const id = await createTenantWithSettings(t, 'pages-mfa-off', { mfa: 'disabled' });
      const user = await createUser(t, id, { roles: ['user'] });
      const b = browser(t);
      assertRedirect(
        await signIn(b, 'pages-mfa-off', { email: user.email, password: user.password }),
        'account',
      );
      assert.doesNotMatch((await b.get('/t/pages-mfa-off/account')).body, /Two-step verification/);
      assertPage(await b.get('/t/pages-mfa-off/mfa-setup'), 404);
      assertPage(await b.submit('/t/pages-mfa-off/account', {}, '/t/pages-mfa-off/mfa-setup'), 404);
    });
  });
}
