import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { countEvents, createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`sessions and refresh tokens (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let offsetMs = 0;
    before(async () => {
      t = await startTestApp(variant, { clock: { now: () => new Date(Date.now() + offsetMs) } });
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(() => t.close());

    async function signIn(user?: { id: string; email: string; password: string }, slug = 'acme') {
      const u = user ?? (await createUser(t, acme.id, { roles: ['user'] }));
      const res = await t.app.inject({
        method: 'POST',
        url: `/t/${slug}/v1/auth/login`,
        payload: { email: u.email, password: u.password },
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0' },
      });
      assert.equal(res.statusCode, 200, res.body);
      return { ...u, ...(res.json() as { access_token: string; refresh_token: string }) };
    }
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const token = (body: string, headers: Record<string, string> = {}, slug = 'acme') =>
      t.app.inject({
        method: 'POST',
        url: `/t/${slug}/oauth/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: body,
      });
    const me = (accessToken: string) =>
      t.app.inject({
        method: 'GET',
        url: '/t/acme/v1/me',
        headers: { authorization: `Bearer ${accessToken}` },
      });
    const settle = () => t.app.inject({ method: 'GET', url: '/healthz' });

    test('refresh rotates the refresh token; the new access token works', async () => {
      const s = await signIn();
      assert.match(s.refresh_token, /^[A-Za-z0-9_-]{43}$/);
      const res = await token(form({ grant_type: 'refresh_token', refresh_token: s.refresh_token }));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers.pragma, 'no-cache');
      const body = res.json();
      assert.notEqual(body.refresh_token, s.refresh_token);
      assert.equal(body.token_type, 'Bearer');
      assert.equal((await me(body.access_token)).statusCode, 200);
    });

    test('presenting a spent refresh token ends the whole session', async () => {
      const s = await signIn();
      const next = (
        await token(form({ grant_type: 'refresh_token', refresh_token: s.refresh_token }))
      ).json();
      const events = await countEvents(t, 'token.reuse_detected');
      const replay = await token(form({ grant_type: 'refresh_token', refresh_token: s.refresh_token }));
      assert.equal(replay.statusCode, 400);
      assert.deepEqual(replay.json(), {
        error: 'invalid_grant',
        error_description: 'The refresh token is invalid, expired or revoked.',
      });
      assert.equal(await countEvents(t, 'token.reuse_detected'), events + 1);
      // Both the thief's and the owner's tokens of that session are dead now.
      assert.equal(
        (await token(form({ grant_type: 'refresh_token', refresh_token: next.refresh_token }))).statusCode,
        400,
      );
      problemOf(await me(next.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      problemOf(await me(s.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
    });

    test('the same refresh token presented twice at once: one rotation, and the session ends', async () => {
      const s = await signIn();
      const answers = await Promise.all(
        [1, 2].map(() => token(form({ grant_type: 'refresh_token', refresh_token: s.refresh_token }))),
      );
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 400]);
      const winner = answers.find((a) => a.statusCode === 200)?.json();
      assert.equal(
        (await token(form({ grant_type: 'refresh_token', refresh_token: winner.refresh_token }))).statusCode,
        400,
      );
    });

    test('a refresh moves the idle deadline, never past the absolute one; other tenants’ tokens are unknown', async () => {
      const s = await signIn();
      const session = () =>
        t.database.withTenant(acme.id, (trx) =>
          trx
            .selectFrom('sessions')
            .select(['sessions.id', 'last_used_at', 'idle_expires_at', 'expires_at'])
            .where('sessions.user_id', '=', s.id)
            .executeTakeFirstOrThrow(),
        );
      const before = await session();
      let current = s.refresh_token;
      // Idle lifetime 14 days, absolute 30: used on day 10 and on day 20, the idle deadline would fall
      // on day 34, and stops at day 30.
      for (const day of [10, 20]) {
        offsetMs = day * 86_400_000;
        try {
          const res = await token(form({ grant_type: 'refresh_token', refresh_token: current }));
          assert.equal(res.statusCode, 200, res.body);
          current = res.json().refresh_token;
        } finally {
          offsetMs = 0;
        }
      }
      const moved = await session();
      assert.ok(moved.last_used_at > before.last_used_at);
      assert.equal(moved.idle_expires_at, before.expires_at);
      assert.equal(moved.expires_at, before.expires_at);

      const other = await createTenantWithAdmin(t, 'umbrella');
      const stranger = await createUser(t, other.id, { roles: ['user'] });
      const theirs = (await signIn(stranger, 'umbrella')).refresh_token;
      const reuses = await countEvents(t, 'token.reuse_detected');
      assert.equal(
        (await token(form({ grant_type: 'refresh_token', refresh_token: theirs }))).json().error,
        'invalid_grant',
      );
      assert.equal(await countEvents(t, 'token.reuse_detected'), reuses);
      const again = await token(form({ grant_type: 'refresh_token', refresh_token: theirs }), {}, 'umbrella');
      assert.equal(again.statusCode, 200, again.body);
    });

    test('sessions end after their idle and absolute lifetimes', async () => {
      const s = await signIn();
      offsetMs = 15 * 86_400_000;
      try {
        assert.equal(
          (await token(form({ grant_type: 'refresh_token', refresh_token: s.refresh_token }))).json().error,
          'invalid_grant',
        );
      } finally {
        offsetMs = 0;
      }
    });

    test('token endpoint input errors use the RFC 6749 error body', async () => {
      const cases: [string, Record<string, string>, number, string][] = [
        ['grant_type=password&username=a&password=b', {}, 400, 'unsupported_grant_type'],
        ['refresh_token=abc', {}, 400, 'invalid_request'],
        ['grant_type=refresh_token', {}, 400, 'invalid_request'],
        ['grant_type=refresh_token&refresh_token=a&refresh_token=b', {}, 400, 'invalid_request'],
        ['grant_type=refresh_token&refresh_token=unknown', {}, 400, 'invalid_grant'],
        ['grant_type=client_credentials', {}, 401, 'invalid_client'],
      ];
      for (const [body, headers, status, error] of cases) {
        const res = await token(body, headers);
        assert.equal(res.statusCode, status, `${body}: ${res.body}`);
        assert.equal(res.json().error, error, body);
        assert.match(String(res.headers['content-type']), /^application\/json/);
      }
      const json = await t.app.inject({
        method: 'POST',
        url: '/t/acme/oauth/token',
        payload: { grant_type: 'refresh_token', refresh_token: 'x' },
      });
      assert.equal(json.statusCode, 400);
      assert.equal(json.json().error, 'invalid_request');
    });

    test('logout ends this session; logout-all ends every one', async () => {
      const a = await signIn();
      const b = await signIn(a);
      assert.equal(
        (
          await t.app.inject({
            method: 'POST',
            url: '/t/acme/v1/auth/logout',
            headers: { authorization: `Bearer ${a.access_token}` },
          })
        ).statusCode,
        204,
      );
      problemOf(await me(a.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.equal(
        (await token(form({ grant_type: 'refresh_token', refresh_token: a.refresh_token }))).statusCode,
        400,
      );
      assert.equal((await me(b.access_token)).statusCode, 200);
      const c = await signIn(a);
      await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/logout-all',
        headers: { authorization: `Bearer ${c.access_token}` },
      });
      problemOf(await me(b.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      problemOf(await me(c.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.equal(
        (await token(form({ grant_type: 'refresh_token', refresh_token: b.refresh_token }))).statusCode,
        400,
      );
    });

    test('users list and end their own sessions; administrators any user’s', async () => {
      const a = await signIn();
      const b = await signIn(a);
      const list = await t.app.inject({
        method: 'GET',
        url: '/t/acme/v1/me/sessions',
        headers: { authorization: `Bearer ${a.access_token}` },
      });
      const items = list.json().items as { id: string; current: boolean; user_agent: string }[];
      assert.equal(items.length, 2);
      assert.equal(items.filter((s) => s.current).length, 1);
      assert.equal(items[0]?.user_agent, 'Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0');
      const other = items.find((s) => !s.current)!;
      assert.equal(
        (
          await t.app.inject({
            method: 'DELETE',
            url: `/t/acme/v1/me/sessions/${other.id}`,
            headers: { authorization: `Bearer ${a.access_token}` },
          })
        ).statusCode,
        204,
      );
      problemOf(await me(b.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      problemOf(
        await t.app.inject({
          method: 'DELETE',
          url: `/t/acme/v1/me/sessions/${other.id}`,
          headers: { authorization: `Bearer ${a.access_token}` },
        }),
        404,
        'IAM_ERR_SESSION_NOT_FOUND',
      );

      const admin = { authorization: `Bearer ${acme.adminToken}` };
      const adminList = await t.app.inject({
        method: 'GET',
        url: `/t/acme/v1/users/${a.id}/sessions`,
        headers: admin,
      });
      assert.equal(adminList.json().items.length, 1);
      const sid = adminList.json().items[0].id;
      assert.equal(
        (
          await t.app.inject({
            method: 'DELETE',
            url: `/t/acme/v1/users/${a.id}/sessions/${sid}`,
            headers: admin,
          })
        ).statusCode,
        204,
      );
      problemOf(await me(a.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/acme/v1/users/not-a-user/sessions', headers: admin }),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
      // Another user's session id through my own endpoint is not found.
      const x = await signIn();
      const xs = (
        await t.app.inject({
          method: 'GET',
          url: '/t/acme/v1/me/sessions',
          headers: { authorization: `Bearer ${x.access_token}` },
        })
      ).json().items[0].id;
      const y = await signIn();
      problemOf(
        await t.app.inject({
          method: 'DELETE',
          url: `/t/acme/v1/me/sessions/${xs}`,
          headers: { authorization: `Bearer ${y.access_token}` },
        }),
        404,
        'IAM_ERR_SESSION_NOT_FOUND',
      );
      assert.equal((await me(x.access_token)).statusCode, 200);
    });

    test('a password change ends the other sessions and keeps this one; a reset ends all', async () => {
      const a = await signIn();
      const b = await signIn(a);
      const res = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/me/password',
        headers: { authorization: `Bearer ${a.access_token}` },
        payload: { current_password: a.password, new_password: 'a completely new passphrase' },
      });
      assert.equal(res.statusCode, 204);
      await settle();
      assert.equal((await me(a.access_token)).statusCode, 200);
      problemOf(await me(b.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.equal(
        (await token(form({ grant_type: 'refresh_token', refresh_token: b.refresh_token }))).statusCode,
        400,
      );
    });

    test('deactivation and deletion refuse every token at once, refresh included', async () => {
      const admin = { authorization: `Bearer ${acme.adminToken}` };
      const a = await signIn();
      await t.app.inject({
        method: 'POST',
        url: `/t/acme/v1/users/${a.id}/deactivate`,
        headers: admin,
        payload: { reason: 'test' },
      });
      problemOf(await me(a.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.equal(
        (await token(form({ grant_type: 'refresh_token', refresh_token: a.refresh_token }))).statusCode,
        400,
      );
      const b = await signIn();
      await t.app.inject({ method: 'DELETE', url: `/t/acme/v1/users/${b.id}`, headers: admin });
      problemOf(await me(b.access_token), 401, 'IAM_ERR_UNAUTHENTICATED');
    });
  });
}
