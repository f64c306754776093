import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import {
  countEvents,
  createTenantWithAdmin,
  latestEvent,
  linkTokenOf,
  snapshot,
  type TenantFixture,
  waitForEvent,
} from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

const PASSWORD = 'correct horse battery staple 2';

for (const variant of VARIANTS) {
  describe(`users: registration and emailed links (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let offsetMs = 0;
    before(async () => {
      t = await startTestApp(variant, { clock: { now: () => new Date(Date.now() + offsetMs) } });
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(() => t.close());

    const post = (path: string, payload: unknown) =>
      t.app.inject({ method: 'POST', url: `/t/acme/v1/auth/${path}`, payload: payload as object });

    test('registration answers the same for new and existing addresses', async () => {
      const first = await post('register', {
        email: 'new@example.com',
        password: PASSWORD,
        name: 'New Person',
      });
      assert.equal(first.statusCode, 202);
      const again = await post('register', { email: 'NEW@example.com', password: 'another long passphrase' });
      assert.equal(again.statusCode, 202);
      assert.deepEqual(again.json(), first.json());
      assert.equal(await countEvents(t, 'user.registered'), 1);
      assert.equal(await countEvents(t, 'user.registration_existing_email'), 1);
      // Verification is not required by default: the new user can sign in, and manage their own
      // account (the system role `user` comes with registering), nothing more.
      const token = await login(t.app, 'acme', 'new@example.com', PASSWORD);
      const headers = { authorization: `Bearer ${token}` };
      const me = await t.app.inject({ method: 'GET', url: '/t/acme/v1/me', headers });
      assert.equal(me.statusCode, 200, me.body);
      const users = await t.app.inject({ method: 'GET', url: '/t/acme/v1/users', headers });
      problemOf(users, 403, 'IAM_ERR_FORBIDDEN');
      await assert.rejects(login(t.app, 'acme', 'new@example.com', 'another long passphrase'), /401/);
    });

    test('verification link: works once, for the current address only', async () => {
      await post('register', { email: 'verify-me@example.com', password: PASSWORD });
      const token = await linkTokenOf(t, 'user.email_verification_requested');
      const event = await latestEvent(t, 'user.email_verification_requested');
      assert.equal(JSON.stringify(event).includes(token), false, 'the outbox never holds the token in clear');
      assert.equal((await post('verify-email', { token })).statusCode, 204);
      problemOf(await post('verify-email', { token }), 400, 'IAM_ERR_LINK_USED');
      problemOf(await post('verify-email', { token: 'x'.repeat(43) }), 400, 'IAM_ERR_LINK_INVALID');
      assert.equal(await countEvents(t, 'user.email_verified'), 1);
    });

    test('resend supersedes the earlier link; expired links are refused', async () => {
      await post('register', { email: 'slow@example.com', password: PASSWORD });
      const old = await linkTokenOf(t, 'user.email_verification_requested');
      const count = await countEvents(t, 'user.email_verification_requested');
      assert.equal((await post('verify-email/resend', { email: 'slow@example.com' })).statusCode, 202);
      await waitForEvent(t, 'user.email_verification_requested', count + 1);
      const fresh = await linkTokenOf(t, 'user.email_verification_requested');
      problemOf(await post('verify-email', { token: old }), 400, 'IAM_ERR_LINK_SUPERSEDED');
      offsetMs = 25 * 3600_000;
      try {
        problemOf(await post('verify-email', { token: fresh }), 400, 'IAM_ERR_LINK_EXPIRED');
      } finally {
        offsetMs = 0;
      }
      assert.equal((await post('verify-email', { token: fresh })).statusCode, 204);
    });

    test('forgot and reset password: same answer for unknown addresses, single use, policy applied', async () => {
      await post('register', { email: 'forgetful@example.com', password: PASSWORD });
      const count = await countEvents(t, 'user.password_reset_requested');
      const known = await post('password/forgot', { email: 'forgetful@example.com' });
      const unknown = await post('password/forgot', { email: 'nobody@example.com' });
      assert.equal(known.statusCode, 202);
      assert.deepEqual(unknown.json(), known.json());
      await waitForEvent(t, 'user.password_reset_requested', count + 1);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(
        await countEvents(t, 'user.password_reset_requested'),
        count + 1,
        'no event for an unknown address',
      );
      const token = await linkTokenOf(t, 'user.password_reset_requested');

      const before = await snapshot(t, acme.id);
      problemOf(await post('password/reset', { token, password: 'short' }), 422, 'IAM_ERR_WEAK_PASSWORD');
      assert.deepEqual(await snapshot(t, acme.id), before, 'a refused password leaves the link usable');
      assert.equal(
        (await post('password/reset', { token, password: 'a brand new passphrase' })).statusCode,
        204,
      );
      problemOf(
        await post('password/reset', { token, password: 'yet another passphrase' }),
        400,
        'IAM_ERR_LINK_USED',
      );
      assert.ok(await login(t.app, 'acme', 'forgetful@example.com', 'a brand new passphrase'));
      await assert.rejects(login(t.app, 'acme', 'forgetful@example.com', PASSWORD), /401/);
      const changed = await latestEvent(t, 'user.password_changed');
      assert.equal(changed?.reason, 'reset');
      // A reset token is no verification token and vice versa.
      problemOf(await post('verify-email', { token }), 400, 'IAM_ERR_LINK_INVALID');
    });

    test('an invitation sets the password and verifies the address', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/users',
        headers: { authorization: `Bearer ${acme.adminToken}` },
        payload: { email: 'invited@example.com' },
      });
      const token = await linkTokenOf(t, 'user.invited');
      await assert.rejects(login(t.app, 'acme', 'invited@example.com', PASSWORD), /401/);
      assert.equal((await post('invitation/accept', { token, password: PASSWORD })).statusCode, 204);
      const user = await t.app.inject({
        method: 'GET',
        url: `/t/acme/v1/users/${res.json().id}`,
        headers: { authorization: `Bearer ${acme.adminToken}` },
      });
      assert.equal(user.json().email_verified, true);
      assert.ok(await login(t.app, 'acme', 'invited@example.com', PASSWORD));
    });

    test('tenant settings: registration closed, verification required', async () => {
      await t.database.db
        .updateTable('tenants')
        .set({
          settings: JSON.stringify({
            registration: { enabled: false },
            login: { require_verified_email: true },
          }),
        })
        .where('id', '=', acme.id)
        .execute();
      await new Promise((r) => setTimeout(r, 1100));
      try {
        problemOf(
          await post('register', { email: 'late@example.com', password: PASSWORD }),
          403,
          'IAM_ERR_REGISTRATION_DISABLED',
        );
        // `new@example.com` registered earlier and never verified.
        await assert.rejects(login(t.app, 'acme', 'new@example.com', PASSWORD), /401/);
      } finally {
        await t.database.db
          .updateTable('tenants')
          .set({ settings: '{}' })
          .where('id', '=', acme.id)
          .execute();
        await new Promise((r) => setTimeout(r, 1100));
      }
    });

    test('bad input is refused and changes nothing', async () => {
      const before = await snapshot(t, acme.id);
      problemOf(await post('register', { email: 'x@example.com' }), 422, 'IAM_ERR_VALIDATION');
      problemOf(
        await post('register', { email: 'x@example.com', password: PASSWORD, email_verified: true }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await post('register', { email: 'bad address@example.com', password: PASSWORD }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await post('register', { email: 'x@example.com', password: 'password1' }),
        422,
        'IAM_ERR_WEAK_PASSWORD',
      );
      problemOf(await post('verify-email', {}), 422, 'IAM_ERR_VALIDATION');
      problemOf(await post('verify-email', { token: 'y'.repeat(200) }), 422, 'IAM_ERR_VALIDATION');
      problemOf(
        await post('password/reset', { token: 'nope', password: PASSWORD }),
        400,
        'IAM_ERR_LINK_INVALID',
      );
      problemOf(await post('password/forgot', { email: 5 }), 422, 'IAM_ERR_VALIDATION');
      problemOf(
        await t.app.inject({
          method: 'POST',
          url: '/t/acme/v1/auth/register',
          headers: { 'content-type': 'application/json' },
          payload: '{',
        }),
        400,
        'IAM_ERR_MALFORMED_REQUEST',
      );
      assert.deepEqual(await snapshot(t, acme.id), before);
    });
  });
}
