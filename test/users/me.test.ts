import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import {
  countEvents,
  createTenantWithAdmin,
  createUser,
  latestEvent,
  snapshot,
  type TenantFixture,
} from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`users: my own account (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(() => t.close());

    async function signedIn() {
      const u = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', u.email, u.password);
      const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
        t.app.inject({
          method: method as 'GET',
          url: `/t/acme/v1${url}`,
          headers: { authorization: `Bearer ${token}`, ...headers },
          ...(payload === undefined ? {} : { payload: payload as object }),
        });
      return { ...u, token, call };
    }

    test('read and change my profile; privileged fields are refused', async () => {
      const me = await signedIn();
      const read = await me.call('GET', '/me');
      assert.equal(read.json().id, me.id);
      const changed = await me.call(
        'PATCH',
        '/me',
        { name: 'Me Myself', locale: 'en-GB' },
        { 'if-match': String(read.headers.etag) },
      );
      assert.equal(changed.json().name, 'Me Myself');
      const before = await snapshot(t, acme.id);
      for (const field of [
        { status: 'active' },
        { email_verified: true },
        { roles: ['admin'] },
        { tenant_id: acme.id },
        { id: 'x' },
      ]) {
        problemOf(await me.call('PATCH', '/me', field), 422, 'IAM_ERR_VALIDATION');
      }
      problemOf(
        await me.call('PATCH', '/me', { name: 'x' }, { 'if-match': String(read.headers.etag) }),
        412,
        'IAM_ERR_PRECONDITION_FAILED',
      );
      assert.deepEqual(await snapshot(t, acme.id), before);
    });

    test('changing my email resets verification and tells the old address', async () => {
      const me = await signedIn();
      // A new address needs the current password: an access token alone must not move the account.
      problemOf(await me.call('PATCH', '/me', { email: 'moved@example.com' }), 422, 'IAM_ERR_VALIDATION');
      problemOf(
        await me.call('PATCH', '/me', { email: 'moved@example.com', current_password: 'not it at all' }),
        403,
        'IAM_ERR_WRONG_PASSWORD',
      );
      const res = await me.call('PATCH', '/me', {
        email: 'moved@example.com',
        current_password: me.password,
      });
      assert.equal(res.json().email, 'moved@example.com');
      assert.equal(res.json().email_verified, false);
      const changed = await latestEvent(t, 'user.email_changed');
      assert.equal(changed?.old_email, me.email);
      const verification = await latestEvent(t, 'user.email_verification_requested');
      assert.equal(verification?.email, 'moved@example.com');
      problemOf(
        await me.call('PATCH', '/me', { email: acme.adminEmail, current_password: me.password }),
        409,
        'IAM_ERR_EMAIL_TAKEN',
      );
    });

    test('password change needs the current password and meets the policy', async () => {
      const me = await signedIn();
      problemOf(
        await me.call('POST', '/me/password', {
          current_password: 'wrong wrong wrong',
          new_password: 'a fresh long passphrase',
        }),
        403,
        'IAM_ERR_WRONG_PASSWORD',
      );
      const weak = problemOf(
        await me.call('POST', '/me/password', {
          current_password: me.password,
          new_password: 'qwertyuiop123',
        }),
        422,
        'IAM_ERR_WEAK_PASSWORD',
      );
      assert.equal((weak.errors as { pointer: string }[])[0]?.pointer, '/new_password');
      const count = await countEvents(t, 'user.password_changed');
      assert.equal(
        (
          await me.call('POST', '/me/password', {
            current_password: me.password,
            new_password: 'a fresh long passphrase',
          })
        ).statusCode,
        204,
      );
      assert.equal(await countEvents(t, 'user.password_changed'), count + 1);
      assert.ok(await login(t.app, 'acme', me.email, 'a fresh long passphrase'));
    });

    test('deleting my account needs my password', async () => {
      const me = await signedIn();
      problemOf(await me.call('DELETE', '/me', { password: 'not it at all' }), 403, 'IAM_ERR_WRONG_PASSWORD');
      problemOf(await me.call('DELETE', '/me', {}), 422, 'IAM_ERR_VALIDATION');
      assert.equal((await me.call('DELETE', '/me', { password: me.password })).statusCode, 204);
      await assert.rejects(login(t.app, 'acme', me.email, me.password), /401/);
      const deleted = await latestEvent(t, 'user.deleted');
      assert.equal(deleted?.self, true);
    });

    test('without a token, /me is a 401', async () => {
      problemOf(await t.app.inject({ method: 'GET', url: '/t/acme/v1/me' }), 401, 'IAM_ERR_UNAUTHENTICATED');
    });
  });
}
