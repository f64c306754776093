import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithSettings, createUser, type UserFixture } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`password expiry at sign-in (${variant})`, () => {
    let t: TestApp;
    const tenants: Record<string, string> = {};

    before(async () => {
      t = await startTestApp(variant);
      for (const [slug, settings] of [
        ['expiring', { password_expiry: { max_age_days: 90 } }],
        ['strict', { password_expiry: { max_age_days: 90 }, mfa: 'required' }],
      ] as const) {
        tenants[slug] = await createTenantWithSettings(t, slug, settings);
      }
    });
    after(() => t.close());

    const userWithPasswordAge = (slug: string, days: number): Promise<UserFixture> =>
      createUser(t, tenants[slug]!, { roles: ['user'], passwordAgeDays: days });
    const signIn = async (slug: string, user: UserFixture, password = user.password) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/t/${slug}/v1/auth/login`,
        payload: { email: user.email, password },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { access_token: string; refresh_token: string };
    };
    const call = (method: 'GET' | 'POST', slug: string, path: string, token: string, payload?: object) =>
      t.app.inject({
        method,
        url: `/t/${slug}/v1${path}`,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    const refresh = (slug: string, token: string) =>
      t.app.inject({
        method: 'POST',
        url: `/t/${slug}/oauth/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
      });

    test('an expired password signs in to a session that can only change it', async () => {
      const ann = await userWithPasswordAge('expiring', 91);
      const tokens = await signIn('expiring', ann);
      assert.equal(decodeJwt(tokens.access_token).restriction, 'password_change');
      problemOf(
        await call('GET', 'expiring', '/me', tokens.access_token),
        403,
        'IAM_ERR_PASSWORD_CHANGE_REQUIRED',
      );
      problemOf(
        await call('GET', 'expiring', '/me/sessions', tokens.access_token),
        403,
        'IAM_ERR_PASSWORD_CHANGE_REQUIRED',
      );
      problemOf(
        await call('POST', 'expiring', '/me/password', tokens.access_token, {
          current_password: 'not it at all',
          new_password: 'a fresh long passphrase',
        }),
        403,
        'IAM_ERR_WRONG_PASSWORD',
      );
      const changed = await call('POST', 'expiring', '/me/password', tokens.access_token, {
        current_password: ann.password,
        new_password: 'a fresh long passphrase',
      });
      assert.equal(changed.statusCode, 204, changed.body);
      const full = await refresh('expiring', tokens.refresh_token);
      assert.equal(full.statusCode, 200, full.body);
      assert.equal(decodeJwt(full.json().access_token).restriction, undefined);
      assert.equal((await call('GET', 'expiring', '/me', full.json().access_token)).statusCode, 200);
      const again = await signIn('expiring', ann, 'a fresh long passphrase');
      assert.equal(decodeJwt(again.access_token).restriction, undefined);
    });

    test('a password inside its age signs in normally', async () => {
      const bob = await userWithPasswordAge('expiring', 89);
      const tokens = await signIn('expiring', bob);
      assert.equal(decodeJwt(tokens.access_token).restriction, undefined);
    });

    test('where MFA is required, the password comes first, then the enrolment', async () => {
      const cat = await userWithPasswordAge('strict', 120);
      const tokens = await signIn('strict', cat);
      assert.equal(decodeJwt(tokens.access_token).restriction, 'password_change');
      problemOf(
        await call('POST', 'strict', '/me/mfa/totp', tokens.access_token),
        403,
        'IAM_ERR_PASSWORD_CHANGE_REQUIRED',
      );
      const changed = await call('POST', 'strict', '/me/password', tokens.access_token, {
        current_password: cat.password,
        new_password: 'a fresh long passphrase',
      });
      assert.equal(changed.statusCode, 204, changed.body);
      const next = await refresh('strict', tokens.refresh_token);
      assert.equal(decodeJwt(next.json().access_token).restriction, 'mfa_enrollment');
    });
  });
}
