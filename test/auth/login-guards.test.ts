import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { solvedCaptcha } from '../support/captcha.ts';
import { VARIANTS } from '../support/databases.ts';
import { countEvents, createTenantWithSettings, createUser, type UserFixture } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

const CURL = 'curl/8.5.0';

for (const variant of VARIANTS) {
  describe(`sign-in guards: lockout, captcha, bot filter (${variant})`, () => {
    let t: TestApp;
    let offsetMs = 0;
    const advance = (seconds: number) => {
      offsetMs += seconds * 1000;
    };
    const tenants: Record<string, string> = {};

    async function tenantWith(slug: string, settings: object) {
      tenants[slug] = await createTenantWithSettings(t, slug, settings);
    }

    before(async () => {
      t = await startTestApp(variant, {
        clock: { now: () => new Date(Date.now() + offsetMs) },
        env: { ALTCHA_MAX_NUMBER: '1000' },
      });
      const quietCaptcha = { captcha: { account_threshold: 100, ip_threshold: 1000 } };
      await tenantWith('locky', {
        lockout: { threshold: 3, duration_seconds: 60, growth_factor: 2 },
        ...quietCaptcha,
      });
      await tenantWith('capty', {
        captcha: { account_threshold: 2, ip_threshold: 5 },
        lockout: { threshold: 3, duration_seconds: 60 },
      });
      await tenantWith('botty', { bot_filter: { allow: ['^curl/'], deny: ['Firefox/133'] } });
      await tenantWith('nopwd', { login: { password_enabled: false } });
    });
    after(() => t.close());

    const login = (slug: string, email: string, password: string, extra: object = {}, ua?: string) =>
      t.app.inject({
        method: 'POST',
        url: `/t/${slug}/v1/auth/login`,
        payload: { email, password, ...extra },
        ...(ua !== undefined ? { headers: { 'user-agent': ua } } : {}),
      });
    const fail = async (slug: string, email: string) =>
      problemOf(await login(slug, email, 'wrong wrong wrong'), 401, 'IAM_ERR_INVALID_CREDENTIALS');
    const solved = (slug: string) => solvedCaptcha(t.app, slug);

    test('failures in a row lock the address, for longer each time; unknown addresses alike', async () => {
      const ann: UserFixture = await createUser(t, tenants.locky!, { roles: ['user'] });
      for (let i = 0; i < 3; i++) await fail('locky', ann.email);
      const locked = problemOf(await login('locky', ann.email, ann.password), 429, 'IAM_ERR_ACCOUNT_LOCKED');
      assert.ok(locked);
      const first = await login('locky', ann.email, ann.password);
      assert.equal(first.headers['retry-after'], '60');

      // An address with no account locks the same way, so the lockout tells nothing.
      for (let i = 0; i < 3; i++) await fail('locky', 'nobody@example.test');
      problemOf(await login('locky', 'nobody@example.test', 'x'), 429, 'IAM_ERR_ACCOUNT_LOCKED');

      advance(61);
      for (let i = 0; i < 3; i++) await fail('locky', ann.email);
      const second = await login('locky', ann.email, ann.password);
      problemOf(second, 429, 'IAM_ERR_ACCOUNT_LOCKED');
      assert.equal(second.headers['retry-after'], '120', 'the second lockout in a row lasts twice as long');

      advance(121);
      assert.equal((await login('locky', ann.email, ann.password)).statusCode, 200);
      // Success starts the count again: two more failures do not lock.
      for (let i = 0; i < 2; i++) await fail('locky', ann.email);
      assert.equal((await login('locky', ann.email, ann.password)).statusCode, 200);
    });

    test('past the threshold a captcha is required, checked before the lockout, single-use', async () => {
      const bob = await createUser(t, tenants.capty!, { roles: ['user'] });
      for (let i = 0; i < 2; i++) await fail('capty', bob.email);
      problemOf(await login('capty', bob.email, bob.password), 400, 'IAM_ERR_CAPTCHA_REQUIRED');
      const solution = await solved('capty');
      problemOf(
        await login('capty', bob.email, 'wrong again', { captcha: solution }),
        401,
        'IAM_ERR_INVALID_CREDENTIALS',
      );
      // Now locked too; without a captcha the answer is still the captcha demand, not the lockout.
      problemOf(await login('capty', bob.email, bob.password), 400, 'IAM_ERR_CAPTCHA_REQUIRED');
      problemOf(
        await login('capty', bob.email, bob.password, { captcha: solution }),
        400,
        'IAM_ERR_CAPTCHA_INVALID',
      );
      problemOf(
        await login('capty', bob.email, bob.password, { captcha: await solved('capty') }),
        429,
        'IAM_ERR_ACCOUNT_LOCKED',
      );
      problemOf(
        await login('capty', bob.email, bob.password, { captcha: 'garbage' }),
        400,
        'IAM_ERR_CAPTCHA_INVALID',
      );

      // Password-forgot shares the gate.
      const forgot = (extra: object = {}) =>
        t.app.inject({
          method: 'POST',
          url: '/t/capty/v1/auth/password/forgot',
          payload: { email: bob.email, ...extra },
        });
      problemOf(await forgot(), 400, 'IAM_ERR_CAPTCHA_REQUIRED');
      assert.equal((await forgot({ captcha: await solved('capty') })).statusCode, 202);
    });

    test('failures from one address across accounts call for a captcha on a fresh account', async () => {
      const cat = await createUser(t, tenants.capty!, { roles: ['user'] });
      // Three failures above, plus these: the IP threshold (5) is reached.
      for (const email of ['x1@example.test', 'x2@example.test']) await fail('capty', email);
      problemOf(await login('capty', cat.email, cat.password), 400, 'IAM_ERR_CAPTCHA_REQUIRED');
      assert.equal(
        (await login('capty', cat.email, cat.password, { captcha: await solved('capty') })).statusCode,
        200,
      );
    });

    test('automation user agents are refused on sign-in and registration, per the tenant lists', async () => {
      const dan = await createUser(t, tenants.botty!, { roles: ['user'] });
      const before = await countEvents(t, 'user.login_failed');
      problemOf(await login('locky', 'a@example.test', 'x', {}, CURL), 403, 'IAM_ERR_BOT_DETECTED');
      problemOf(await login('locky', 'a@example.test', 'x', {}, ''), 403, 'IAM_ERR_BOT_DETECTED');
      problemOf(
        await login('locky', 'a@example.test', 'x', {}, 'Mozilla/5.0 (compatible; Googlebot/2.1)'),
        403,
        'IAM_ERR_BOT_DETECTED',
      );
      const register = await t.app.inject({
        method: 'POST',
        url: '/t/locky/v1/auth/register',
        headers: { 'user-agent': 'python-requests/2.32' },
        payload: { email: 'bot@example.test', password: 'a long enough passphrase' },
      });
      problemOf(register, 403, 'IAM_ERR_BOT_DETECTED');
      assert.equal(await countEvents(t, 'user.login_failed'), before, 'refused before any work');
      // The tenant allows its own curl-based monitor and denies a browser it distrusts.
      assert.equal((await login('botty', dan.email, dan.password, {}, CURL)).statusCode, 200);
      problemOf(await login('botty', dan.email, dan.password), 403, 'IAM_ERR_BOT_DETECTED');
      // Machine endpoints are not filtered.
      const token = await t.app.inject({
        method: 'POST',
        url: '/t/botty/oauth/token',
        headers: { 'user-agent': CURL, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=refresh_token&refresh_token=nope',
      });
      assert.equal(token.statusCode, 400);
    });

    test("a tenant's password sign-in switch", async () => {
      const eve = await createUser(t, tenants.nopwd!, { roles: ['user'] });
      problemOf(await login('nopwd', eve.email, eve.password), 403, 'IAM_ERR_PASSWORD_LOGIN_DISABLED');
    });
  });
}
