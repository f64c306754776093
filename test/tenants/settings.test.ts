import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fromJson } from '../../src/db/index.ts';
import { BROWSER_USER_AGENT } from '../support/browser.ts';
import { scratchDatabase, VARIANTS } from '../support/databases.ts';
import {
  countEvents,
  createTenantWithAdmin,
  createUser,
  latestEvent,
  type TenantFixture,
} from '../support/fixtures.ts';
import { freePort, type Started, startMain, waitForOk } from '../support/process.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`tenant settings API (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
    });
    after(() => t.close());

    const call = (
      method: 'GET' | 'PATCH',
      slug: string,
      token: string,
      payload?: unknown,
      type = 'application/json',
    ) =>
      t.app.inject({
        method,
        url: `/t/${slug}/v1/settings`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload !== undefined ? { 'content-type': type } : {}),
        },
        ...(payload !== undefined
          ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }
          : {}),
      });
    const stored = async (tenantId: string) => {
      const row = await t.database.db
        .selectFrom('tenants')
        .select('settings')
        .where('id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return fromJson<Record<string, unknown>>(row.settings);
    };

    test('every setting reads back with its default', async () => {
      const res = await call('GET', 'acme', acme.adminToken);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.mfa, 'optional');
      assert.equal(body.lockout.threshold, 10);
      assert.equal(body.captcha.provider, 'altcha');
      assert.deepEqual(body.cors.allowed_origins, []);
      assert.equal(body.password_expiry.max_age_days, 0);
      assert.equal(body.login.password_enabled, true);
    });

    test('a merge patch changes what it names, applies at once here, and is recorded', async () => {
      const res = await call(
        'PATCH',
        'acme',
        acme.adminToken,
        { mfa: 'required', lockout: { threshold: 5 }, cors: { allowed_origins: ['https://app.acme.test'] } },
        'application/merge-patch+json',
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().lockout.threshold, 5);
      assert.equal(res.json().lockout.duration_seconds, 300, 'siblings keep their values');
      assert.deepEqual(await stored(acme.id), {
        mfa: 'required',
        lockout: { threshold: 5 },
        cors: { allowed_origins: ['https://app.acme.test'] },
      });
      assert.equal((await call('GET', 'acme', acme.adminToken)).json().mfa, 'required');
      const event = await latestEvent(t, 'tenant.settings_changed');
      assert.equal(event?.tenant_id, acme.id);
      assert.equal(event?.actor_id, acme.adminId);
      assert.deepEqual(event?.changed, ['mfa', 'lockout', 'cors']);

      // null restores the default.
      const reset = await call('PATCH', 'acme', acme.adminToken, { mfa: null, lockout: null });
      assert.equal(reset.json().mfa, 'optional');
      assert.equal(reset.json().lockout.threshold, 10);
      assert.deepEqual(await stored(acme.id), { cors: { allowed_origins: ['https://app.acme.test'] } });
    });

    test('a provider secret is write-only', async () => {
      const res = await call('PATCH', 'acme', acme.adminToken, {
        captcha: { provider: 'turnstile', site_key: 'site', secret_key: 'very-secret' },
      });
      assert.equal(res.json().captcha.secret_key, '********');
      assert.ok(!res.body.includes('very-secret'));
      // Sending the mask back (a form posting everything it read) keeps the secret.
      await call('PATCH', 'acme', acme.adminToken, {
        captcha: { secret_key: '********', site_key: 'site2' },
      });
      const captcha = (await stored(acme.id)).captcha as Record<string, string>;
      assert.equal(captcha.secret_key, 'very-secret');
      assert.equal(captcha.site_key, 'site2');
    });

    test('bad settings are refused with their pointers and change nothing', async () => {
      const before = await stored(acme.id);
      const events = await countEvents(t, 'tenant.settings_changed');
      const cases: [unknown, string][] = [
        [{ lockout: { threshold: -1 } }, '/lockout/threshold'],
        [{ lockout: { threshold: 'ten' } }, '/lockout/threshold'],
        [{ no_such_setting: true }, '/'],
        [{ lockout: { nope: 1 } }, '/lockout'],
        [{ cors: { allowed_origins: ['https://app.acme.test/path'] } }, '/cors/allowed_origins/0'],
        [{ cors: { allowed_origins: ['*'] } }, '/cors/allowed_origins/0'],
        [{ bot_filter: { deny: ['(unclosed'] } }, '/bot_filter/deny/0'],
        [{ mfa: 'sometimes' }, '/mfa'],
        [{ rate_limits: { login: { limit: 0, window_seconds: 60 } } }, '/rate_limits/login/limit'],
        [{ rate_limits: { nonsense: { limit: 1, window_seconds: 60 } } }, '/rate_limits'],
      ];
      for (const [patch, pointer] of cases) {
        const body = problemOf(
          await call('PATCH', 'acme', acme.adminToken, patch),
          422,
          'IAM_ERR_VALIDATION',
        );
        const pointers = (body.errors as { pointer: string }[]).map((e) => e.pointer);
        assert.ok(pointers.includes(pointer), `${JSON.stringify(patch)}: ${pointers.join(', ')}`);
      }
      problemOf(await call('PATCH', 'acme', acme.adminToken, '{"mfa":'), 400, 'IAM_ERR_MALFORMED_REQUEST');
      problemOf(await call('PATCH', 'acme', acme.adminToken, '[1]'), 422, 'IAM_ERR_VALIDATION');
      assert.deepEqual(await stored(acme.id), before);
      assert.equal(await countEvents(t, 'tenant.settings_changed'), events);
    });

    test('only the tenant administrators and platform operators', async () => {
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const userToken = await login(t.app, 'acme', user.email, user.password);
      problemOf(await call('GET', 'acme', userToken), 403, 'IAM_ERR_FORBIDDEN');
      problemOf(await call('PATCH', 'acme', userToken, { mfa: 'disabled' }), 403, 'IAM_ERR_FORBIDDEN');
      problemOf(
        await call('PATCH', 'acme', globex.adminToken, { mfa: 'disabled' }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      const operator = await call('PATCH', 'globex', await t.adminToken(), {
        email: { sender_name: 'Globex' },
      });
      assert.equal(operator.statusCode, 200, operator.body);
      assert.equal(operator.json().email.sender_name, 'Globex');
    });

    test('onboarding: a tenant created with its first administrator, who is invited', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { authorization: `Bearer ${await t.adminToken()}` },
        payload: { slug: 'initech', display_name: 'Initech', admin_email: 'Peter@Initech.test' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const invited = await latestEvent(t, 'user.invited');
      assert.equal(invited?.tenant_id, res.json().id);
      assert.equal(invited?.email, 'Peter@Initech.test');
      const created = await latestEvent(t, 'user.created');
      assert.equal(created?.source, 'onboarding');
      const roles = await t.database.withTenant(res.json().id, (trx) =>
        trx
          .selectFrom('user_roles')
          .innerJoin('roles', (j) =>
            j
              .onRef('roles.tenant_id', '=', 'user_roles.tenant_id')
              .onRef('roles.id', '=', 'user_roles.role_id'),
          )
          .select('roles.name')
          .where('user_roles.tenant_id', '=', res.json().id)
          .execute(),
      );
      assert.deepEqual(
        roles.map((r) => r.name),
        ['admin'],
      );

      // A refused administrator address leaves no tenant behind.
      const bad = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { authorization: `Bearer ${await t.adminToken()}` },
        payload: { slug: 'hooli', display_name: 'Hooli', admin_email: 'not-an-email' },
      });
      problemOf(bad, 422, 'IAM_ERR_VALIDATION');
      const hooli = await t.database.db
        .selectFrom('tenants')
        .select('id')
        .where('slug', '=', 'hooli')
        .execute();
      assert.equal(hooli.length, 0);
    });
  });

  test(`a settings change on one replica is in force on the other within a second (${variant})`, async () => {
    const scratch = await scratchDatabase(variant);
    const password = 'a long operator passphrase';
    const env = {
      ...scratch.env,
      GATEHOUSE_ADMIN_EMAIL: 'ops@example.test',
      GATEHOUSE_ADMIN_PASSWORD: password,
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_ITERATIONS: '1',
      DATABASE_MIGRATE_ON_START: 'true',
      PUBLIC_URL: 'https://id.example.test',
    };
    const replicas: Started[] = [];
    try {
      const ports = [await freePort(), await freePort()];
      replicas.push(startMain({ ...env, PORT: String(ports[0]) }));
      await waitForOk(`http://127.0.0.1:${ports[0]}/readyz`);
      replicas.push(startMain({ ...env, PORT: String(ports[1]) }));
      await waitForOk(`http://127.0.0.1:${ports[1]}/readyz`);
      const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];
      const signIn = await fetch(`${a}/t/platform/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': BROWSER_USER_AGENT },
        body: JSON.stringify({ email: 'ops@example.test', password }),
      });
      const { access_token: token } = (await signIn.json()) as { access_token: string };
      const mode = async () =>
        (
          (await (
            await fetch(`${b}/t/platform/v1/me/mfa`, { headers: { authorization: `Bearer ${token}` } })
          ).json()) as { mode: string }
        ).mode;
      assert.equal(await mode(), 'optional');
      const patched = await fetch(`${a}/t/platform/v1/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ mfa: 'disabled' }),
      });
      assert.equal(patched.status, 200);
      const started = performance.now();
      let seen = await mode();
      while (seen !== 'disabled' && performance.now() - started < 1000) {
        await new Promise((r) => setTimeout(r, 20));
        seen = await mode();
      }
      assert.equal(seen, 'disabled', 'the other replica still used the old settings a second later');
    } finally {
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => r.exited));
      await scratch.drop();
    }
  });
}
