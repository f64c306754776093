import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import {
  createTenantWithAdmin,
  createTenantWithSettings,
  createUser,
  linkTokenOf,
} from '../support/fixtures.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.ts';
import {
  assertPage,
  assertRedirect,
  browser,
  csrfOf,
  errorOf,
  fieldErrorOf,
  noticeOf,
  type PageBrowser,
  PUBLIC_URL,
} from './page-client.ts';

const sessionIdsOf = (body: string) =>
  [...body.matchAll(/name="session" value="([^"]+)"/g)].map((m) => m[1]!);

for (const variant of VARIANTS) {
  describe(`hosted account pages over HTTP (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant, { env: { PUBLIC_URL } });
    });
    after(() => t.close());

    async function signedIn(slug: string, email: string, password: string): Promise<PageBrowser> {
      const b = browser(t);
      const res = await b.submit(`/t/${slug}/sign-in`, { email, password });
      assert.equal(res.statusCode, 303, res.body);
      return b;
    }

    test('without a session every account page leads to sign-in; another tenant’s cookie is no session', async () => {
      const signedOut = browser(t);
      for (const page of ['account', 'change-password', 'mfa-setup', 'recovery-codes', 'mfa-disable'])
        assertRedirect(await signedOut.get(`/t/platform/${page}`), 'sign-in');
      const token = csrfOf(await signedOut.get('/t/platform/sign-in'));
      assertRedirect(await signedOut.post('/t/platform/profile', { _csrf: token, name: 'x' }), 'sign-in');

      await createTenantWithAdmin(t, 'pages-other');
      const b = await signedIn('platform', ADMIN_EMAIL, ADMIN_PASSWORD);
      b.jar.set('gh_page_pages-other', b.jar.get('gh_page_platform')!);
      assertRedirect(await b.get('/t/pages-other/account'), 'sign-in');
      const csrf = csrfOf(await b.get('/t/pages-other/sign-in'));
      assertRedirect(await b.post('/t/pages-other/profile', { _csrf: csrf, name: 'Mallory' }), 'sign-in');
      assert.doesNotMatch((await b.get('/t/platform/account')).body, /Mallory/);
    });

    test('sessions: the account lists them; one, or all the others, can be signed out', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages-sessions');
      const sign = () => signedIn(tenant.slug, tenant.adminEmail, tenant.adminPassword);
      const [mine, second, third] = [await sign(), await sign(), await sign()];
      const account = await mine.get('/t/pages-sessions/account');
      assert.equal((account.body.match(/<em>This browser<\/em>/g) ?? []).length, 1);
      // Newest first: the third browser's session, then the second's.
      const [thirdId, secondId] = sessionIdsOf(account.body);
      assert.ok(thirdId && secondId);

      const end = (id: string) =>
        mine.submit('/t/pages-sessions/account', { session: id }, '/t/pages-sessions/end-session');
      assertRedirect(await end(thirdId), 'account?done=session');
      assertRedirect(await third.get('/t/pages-sessions/account'), 'sign-in');
      assertRedirect(await end(thirdId), 'account?done=session-gone');
      assertPage(await second.get('/t/pages-sessions/account'), 200);

      assertRedirect(
        await mine.submit('/t/pages-sessions/account', {}, '/t/pages-sessions/end-other-sessions'),
        'account?done=others',
      );
      assertRedirect(await second.get('/t/pages-sessions/account'), 'sign-in');
      const after = await mine.get('/t/pages-sessions/account?done=others');
      assert.equal(noticeOf(after), 'Every other session was signed out.');
      assert.deepEqual(sessionIdsOf(after.body), []);
    });

    test('profile: the name is saved; too long a name is tied to its field', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages-profile');
      const b = await signedIn(tenant.slug, tenant.adminEmail, tenant.adminPassword);
      const save = (name: string) =>
        b.submit('/t/pages-profile/account', { name }, '/t/pages-profile/profile');
      assertRedirect(await save('  Ada Lovelace '), 'account?done=profile');
      const account = await b.get('/t/pages-profile/account?done=profile');
      assert.equal(noticeOf(account), 'Your name was saved.');
      assert.match(account.body, /name="name" type="text" value="Ada Lovelace"/);
      const long = await save('x'.repeat(201));
      assertPage(long, 422);
      assert.equal(fieldErrorOf(long, 'name'), 'Use at most 200 characters.');
      assert.match((await b.get('/t/pages-profile/account')).body, /value="Ada Lovelace"/);
    });

    test('without self-service permissions the account only says who is signed in, and refuses changes', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages-norole');
      const user = await createUser(t, tenant.id);
      const b = await signedIn(tenant.slug, user.email, user.password);
      const account = await b.get('/t/pages-norole/account');
      assertPage(account, 200);
      assert.ok(account.body.includes(user.email));
      assert.match(account.body, /Your administrator manages the rest of this account/);
      assert.doesNotMatch(account.body, /action="profile"|action="end-session"|href="mfa-setup"/);
      const refused = await b.submit('/t/pages-norole/account', { name: 'x' }, '/t/pages-norole/profile');
      assertPage(refused, 403);
      assert.equal(errorOf(refused), 'Your account may not do this here. Ask your administrator.');
      assertPage(await b.get('/t/pages-norole/mfa-setup'), 403);
      assertPage(await b.get('/t/pages-norole/change-password'), 403);
    });

    test('an expired password leads to the change; wrong and weak passwords are tied to their fields', async () => {
      const id = await createTenantWithSettings(t, 'pages-expiry', { password_expiry: { max_age_days: 90 } });
      const user = await createUser(t, id, { roles: ['user'], passwordAgeDays: 100 });
      const b = browser(t);
      assertRedirect(
        await b.submit('/t/pages-expiry/sign-in', { email: user.email, password: user.password }),
        'change-password',
      );
      assertRedirect(await b.get('/t/pages-expiry/account'), 'change-password');
      const form = await b.get('/t/pages-expiry/change-password');
      assert.equal(noticeOf(form), 'Your password has expired. Choose a new one to continue.');
      assert.match(form.body, /aria-describedby="new_password-hint"/);

      const change = (current: string, next: string, headers: Record<string, string> = {}) =>
        b.post(
          '/t/pages-expiry/change-password',
          { _csrf: csrfOf(form), current_password: current, new_password: next },
          headers,
        );
      const empty = await change('', '');
      assertPage(empty, 422);
      assert.equal(fieldErrorOf(empty, 'current_password'), 'Enter your current password.');
      assert.equal(fieldErrorOf(empty, 'new_password'), 'Choose a new password.');
      const wrong = await change('not the password', 'a fresh passphrase now');
      assertPage(wrong, 403);
      assert.equal(fieldErrorOf(wrong, 'current_password'), 'The current password is not correct.');
      const weak = await change(user.password, 'short');
      assertPage(weak, 422);
      assert.match(fieldErrorOf(weak, 'new_password') ?? '', /at least 12 characters/);
      // Another site cannot make the change, even with this browser's token.
      assertPage(
        await change(user.password, 'a fresh passphrase now', { origin: 'https://evil.example' }),
        403,
      );

      assertRedirect(await change(user.password, 'a fresh passphrase now'), 'account?done=password');
      assert.equal(
        noticeOf(await b.get('/t/pages-expiry/account?done=password')),
        'Your password was changed, and your other sessions were signed out.',
      );
      await b.submit('/t/pages-expiry/account', {}, '/t/pages-expiry/sign-out');
      assertRedirect(
        await b.submit('/t/pages-expiry/sign-in', { email: user.email, password: 'a fresh passphrase now' }),
        'account',
      );
    });

    test('an expired password where MFA is required: the change, then the enrolment', async () => {
      const id = await createTenantWithSettings(t, 'pages-strict', {
        password_expiry: { max_age_days: 90 },
        mfa: 'required',
      });
      const user = await createUser(t, id, { roles: ['user'], passwordAgeDays: 100 });
      const b = browser(t);
      assertRedirect(
        await b.submit('/t/pages-strict/sign-in', { email: user.email, password: user.password }),
        'change-password',
      );
      assertRedirect(
        await b.submit('/t/pages-strict/change-password', {
          current_password: user.password,
          new_password: 'a fresh passphrase now',
        }),
        'mfa-setup',
      );
      assertRedirect(await b.get('/t/pages-strict/account'), 'mfa-setup');
    });

    test('an invitation link sets the password, once, and the person signs in', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages-invite');
      const created = await t.app.inject({
        method: 'POST',
        url: '/t/pages-invite/v1/users',
        headers: { authorization: `Bearer ${tenant.adminToken}` },
        payload: { email: 'invited@example.test' },
      });
      assert.equal(created.statusCode, 201, created.body);
      const token = await linkTokenOf(t, 'user.invited');
      const b = browser(t);
      const url = `/t/pages-invite/accept-invitation?token=${encodeURIComponent(token)}`;
      const form = await b.get(url);
      assertPage(form, 200);
      assert.match(form.body, /action="accept-invitation"/);
      assert.match(form.body, /At least 12 characters\./);
      const weak = await b.submit(url, { token, password: 'short' }, '/t/pages-invite/accept-invitation');
      assertPage(weak, 422);
      assert.match(fieldErrorOf(weak, 'password') ?? '', /at least 12 characters/);
      const done = await b.submit(
        url,
        { token, password: 'a welcome passphrase' },
        '/t/pages-invite/accept-invitation',
      );
      assertPage(done, 200);
      assert.match(noticeOf(done) ?? '', /Your password is set/);
      const again = await b.submit(
        url,
        { token, password: 'another passphrase here' },
        '/t/pages-invite/accept-invitation',
      );
      assertPage(again, 400);
      assert.equal(errorOf(again), 'This link was already used.');
      assertPage(await b.get('/t/pages-invite/accept-invitation'), 400);
      assertRedirect(
        await b.submit('/t/pages-invite/sign-in', {
          email: 'invited@example.test',
          password: 'a welcome passphrase',
        }),
        'account',
      );
    });
  });
}
