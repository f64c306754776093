import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../../support/databases.ts';
import {
  countEvents,
  createTenantWithAdmin,
  createUser,
  type TenantFixture,
} from '../../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../../support/test-app.ts';
import { call } from './attack-support.ts';

// Stolen or stale credentials: a deactivated or deleted user's tokens, refresh-token replay (OAuth 2.0
// Security BCP §4.14.2), refresh tokens taken to another tenant, and racing refreshes.

for (const variant of VARIANTS) {
  describe(`attack: revoked users and replayed refresh tokens (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      await createTenantWithAdmin(t, 'globex');
    });
    after(() => t.close());

    async function signIn(roles = ['user']) {
      const u = await createUser(t, acme.id, { roles });
      const res = await call(t, 'POST', '/t/acme/v1/auth/login', {
        payload: { email: u.email, password: u.password },
      });
      assert.equal(res.statusCode, 200, res.body);
      return { ...u, ...(res.json() as { access_token: string; refresh_token: string }) };
    }
    const refresh = (refreshToken: string, slug = 'acme') =>
      t.app.inject({
        method: 'POST',
        url: `/t/${slug}/oauth/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
      });
    const me = (token: string) => call(t, 'GET', '/t/acme/v1/me', { token });
    const adminCall = (method: 'POST' | 'DELETE', url: string, payload?: object) =>
      call(t, method, url, { token: acme.adminToken, ...(payload ? { payload } : {}) });

    test("a deactivated administrator's token is refused at once on every kind of route, and stays refused after reactivation", async () => {
      const boss = await signIn(['admin']);
      assert.equal((await call(t, 'GET', '/t/acme/v1/users', { token: boss.access_token })).statusCode, 200);
      const res = await adminCall('POST', `/t/acme/v1/users/${boss.id}/deactivate`, { reason: 'left' });
      assert.equal(res.statusCode, 200, res.body);
      for (const [method, url] of [
        ['GET', '/t/acme/v1/me'],
        ['GET', '/t/acme/v1/users'],
        ['GET', `/t/acme/v1/users/${acme.adminId}`],
        ['POST', '/t/acme/v1/roles'],
        ['GET', '/t/acme/v1/userinfo'],
      ] as const) {
        problemOf(
          await call(t, method, url, {
            token: boss.access_token,
            payload: method === 'POST' ? {} : undefined,
          }),
          401,
          'IAM_ERR_UNAUTHENTICATED',
        );
      }
      assert.equal((await refresh(boss.refresh_token)).statusCode, 400);
      // Introspection agrees.
      const introspect = await t.app.inject({
        method: 'POST',
        url: '/t/acme/oauth/introspect',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Bearer ${acme.adminToken}`,
        },
        payload: new URLSearchParams({ token: boss.access_token }).toString(),
      });
      assert.deepEqual(introspect.json(), { active: false });

      // Reactivation lets the person sign in again, but does not revive the old session.
      assert.equal((await adminCall('POST', `/t/acme/v1/users/${boss.id}/activate`)).statusCode, 200);
      problemOf(await me(boss.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.equal((await refresh(boss.refresh_token)).statusCode, 400);
    });

    test("a deleted user's access and refresh tokens are refused at once, and after a restore", async () => {
      const gone = await signIn();
      assert.equal((await me(gone.access_token)).statusCode, 200);
      assert.equal((await adminCall('DELETE', `/t/acme/v1/users/${gone.id}`)).statusCode, 204);
      problemOf(await me(gone.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.equal((await refresh(gone.refresh_token)).statusCode, 400);
      assert.equal((await adminCall('POST', `/t/acme/v1/users/${gone.id}/restore`)).statusCode, 200);
      problemOf(await me(gone.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.equal((await refresh(gone.refresh_token)).statusCode, 400);
    });

    test('refresh-token reuse ends the whole session, for the thief and the owner', async () => {
      const s = await signIn();
      const rotated = await refresh(s.refresh_token);
      assert.equal(rotated.statusCode, 200, rotated.body);
      const owner = rotated.json() as { access_token: string; refresh_token: string };
      const before = await countEvents(t, 'token.reuse_detected');
      const thief = await refresh(s.refresh_token);
      assert.equal(thief.statusCode, 400);
      assert.equal(thief.json().error, 'invalid_grant');
      assert.equal(await countEvents(t, 'token.reuse_detected'), before + 1);
      assert.equal(
        (await refresh(owner.refresh_token)).statusCode,
        400,
        "the owner's newer token is dead too",
      );
      problemOf(await me(owner.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      problemOf(await me(s.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
    });

    test('racing refreshes with one token: at most one wins', async () => {
      const s = await signIn();
      const answers = await Promise.all([
        refresh(s.refresh_token),
        refresh(s.refresh_token),
        refresh(s.refresh_token),
      ]);
      for (const a of answers) assert.ok(a.statusCode < 500, a.body);
      assert.ok(
        answers.filter((a) => a.statusCode === 200).length <= 1,
        answers.map((a) => a.statusCode).join(),
      );
    });

    test("a refresh token taken to another tenant's token endpoint is refused and spends nothing", async () => {
      const s = await signIn();
      const elsewhere = await refresh(s.refresh_token, 'globex');
      assert.equal(elsewhere.statusCode, 400, elsewhere.body);
      assert.equal(elsewhere.json().error, 'invalid_grant');
      assert.equal((await refresh(s.refresh_token)).statusCode, 200, 'still good at home');
    });

    test('a refresh token after logout, and a made-up one, are refused', async () => {
      const s = await signIn();
      assert.equal(
        (await call(t, 'POST', '/t/acme/v1/auth/logout', { token: s.access_token })).statusCode,
        204,
      );
      assert.equal((await refresh(s.refresh_token)).statusCode, 400);
      problemOf(await me(s.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      for (const forged of ['x', 'A'.repeat(43), `${s.refresh_token}A`, "' OR '1'='1", '%00']) {
        const res = await refresh(forged);
        assert.equal(res.statusCode, 400, `${forged}: ${res.body}`);
      }
    });

    test("a stolen access token alone cannot change the account's email address (re-authentication, ASVS 7.5.1)", {}, async () => {
      const s = await signIn();
      const res = await call(t, 'PATCH', '/t/acme/v1/me', {
        token: s.access_token,
        payload: { email: 'thief@evil.test' },
      });
      assert.ok(res.statusCode === 401 || res.statusCode === 403 || res.statusCode === 422, res.body);
    });
  });
}
