import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { Secret } from 'otpauth';
import { fromJson } from '../../src/db/index.ts';
import { timeStep, totpCode } from '../../src/mfa/totp.ts';
import { VARIANTS } from '../support/databases.ts';
import {
  countEvents,
  createTenantWithSettings,
  createUser,
  latestEvent,
  type UserFixture,
} from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`TOTP second factor over HTTP (${variant})`, () => {
    let t: TestApp;
    // A clock the test moves by hand, starting 10 s into a TOTP step, so no code ever straddles a
    // step boundary while a request runs.
    let nowMs = (timeStep(Date.now()) + 1) * 30_000 + 10_000;
    const clock = { now: () => new Date(nowMs) };
    const advance = (seconds: number) => {
      nowMs += seconds * 1000;
    };
    const tenants: Record<string, string> = {};

    /** A tenant with the given MFA mode, set before anything reads (and caches) the tenant. */
    async function tenantWith(slug: string, mfa: string): Promise<string> {
      tenants[slug] = await createTenantWithSettings(t, slug, { mfa }, `${slug} Corp`);
      return tenants[slug];
    }

    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token?: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        ...(payload ? { payload } : {}),
      });

    const signIn = async (slug: string, user: UserFixture) => {
      const res = await call('POST', `/t/${slug}/v1/auth/login`, undefined, {
        email: user.email,
        password: user.password,
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    /** Enrols and confirms TOTP for a signed-in user; returns the secret and recovery codes. */
    async function enrol(slug: string, token: string) {
      const started = await call('POST', `/t/${slug}/v1/me/mfa/totp`, token);
      assert.equal(started.statusCode, 201, started.body);
      const secret = Buffer.from(Secret.fromBase32(started.json().secret).bytes);
      const code = totpCode(secret, timeStep(nowMs));
      const confirmed = await call('POST', `/t/${slug}/v1/me/mfa/totp/confirm`, token, { code });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      return { secret, recoveryCodes: confirmed.json().recovery_codes as string[], started: started.json() };
    }

    const codeAt = (secret: Buffer, delta = 0) => totpCode(secret, timeStep(nowMs) + delta);
    const verify = (slug: string, payload: object) =>
      call('POST', `/t/${slug}/v1/auth/mfa/verify`, undefined, payload);

    before(async () => {
      t = await startTestApp(variant, {
        clock,
        env: { MFA_TOKEN_MAX_FAILURES: '3', MFA_USER_MAX_FAILURES: '7' },
      });
      await tenantWith('mfa-opt', 'optional');
      await tenantWith('mfa-req', 'required');
      await tenantWith('mfa-off', 'disabled');
    });
    after(() => t.close());

    test('enrolment, sign-in with a code, replay refused, neighbouring steps accepted', async () => {
      const ann = await createUser(t, tenants['mfa-opt']!, { email: 'ann@example.com', roles: ['user'] });
      const first = await signIn('mfa-opt', ann);
      assert.ok(first.access_token, 'no second factor yet: tokens at once');
      const { secret, recoveryCodes, started } = await enrol('mfa-opt', first.access_token);

      const uri = new URL(started.otpauth_uri);
      assert.equal(uri.searchParams.get('issuer'), 'mfa-opt Corp');
      assert.equal(decodeURIComponent(uri.pathname), '/mfa-opt Corp:ann@example.com');
      assert.match(started.qr_code_png, /^data:image\/png;base64,/);
      assert.match(started.qr_code_svg, /^<svg /);
      assert.equal(secret.length, 20, '160-bit secret');
      assert.equal(recoveryCodes.length, 10);
      const stored = await t.database.withTenant(tenants['mfa-opt']!, (trx) =>
        trx.selectFrom('mfa_credentials').selectAll().where('user_id', '=', ann.id).execute(),
      );
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.status, 'active');
      assert.ok(!stored[0]!.secret_sealed.includes(started.secret), 'secret encrypted at rest');
      assert.equal((await latestEvent(t, 'mfa.enrolled'))?.user_id, ann.id);

      // The password alone now yields only an mfa_token, which is no bearer token.
      const challenge = await signIn('mfa-opt', ann);
      assert.deepEqual(Object.keys(challenge).sort(), ['expires_in', 'methods', 'mfa_required', 'mfa_token']);
      assert.equal(challenge.mfa_required, true);
      assert.equal(challenge.expires_in, 300);
      problemOf(await call('GET', '/t/mfa-opt/v1/me', challenge.mfa_token), 401, 'IAM_ERR_UNAUTHENTICATED');

      // The code used to confirm cannot sign in (same credential, same step).
      problemOf(
        await verify('mfa-opt', { mfa_token: challenge.mfa_token, code: codeAt(secret) }),
        401,
        'IAM_ERR_MFA_CODE_INVALID',
      );
      assert.equal((await latestEvent(t, 'mfa.verification_failed'))?.reason, 'replayed_code');

      advance(30);
      const ok = await verify('mfa-opt', { mfa_token: challenge.mfa_token, code: codeAt(secret, -1 + 1) });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.headers['cache-control'], 'no-store');
      assert.deepEqual(decodeJwt(ok.json().access_token).amr, ['pwd', 'otp']);
      assert.equal((await call('GET', '/t/mfa-opt/v1/me', ok.json().access_token)).statusCode, 200);

      // The token is single-use, even with a fresh code.
      problemOf(
        await verify('mfa-opt', { mfa_token: challenge.mfa_token, code: codeAt(secret, 1) }),
        401,
        'IAM_ERR_MFA_TOKEN_INVALID',
      );

      // Previous and next steps are accepted, two steps away is not.
      advance(60);
      for (const delta of [-1, 1]) {
        const { mfa_token } = await signIn('mfa-opt', ann);
        const res = await verify('mfa-opt', { mfa_token, code: codeAt(secret, delta) });
        assert.equal(res.statusCode, 200, `step ${delta}: ${res.body}`);
      }
      for (const delta of [-2, 2]) {
        const { mfa_token } = await signIn('mfa-opt', ann);
        problemOf(
          await verify('mfa-opt', { mfa_token, code: codeAt(secret, delta) }),
          401,
          'IAM_ERR_MFA_CODE_INVALID',
        );
      }

      // Recovery codes: each signs in once, with amr "rc", and the user is told.
      const { mfa_token: rcToken } = await signIn('mfa-opt', ann);
      const rc = await verify('mfa-opt', {
        mfa_token: rcToken,
        recovery_code: recoveryCodes[0]!.toUpperCase(),
      });
      assert.equal(rc.statusCode, 200, rc.body);
      assert.deepEqual(decodeJwt(rc.json().access_token).amr, ['pwd', 'rc']);
      const used = await latestEvent(t, 'mfa.recovery_code_used');
      assert.equal(used?.remaining, 9);
      assert.equal(used?.email, 'ann@example.com');
      const { mfa_token: again } = await signIn('mfa-opt', ann);
      problemOf(
        await verify('mfa-opt', { mfa_token: again, recovery_code: recoveryCodes[0]! }),
        401,
        'IAM_ERR_MFA_CODE_INVALID',
      );
    });

    test('an mfa_token expires, is spent by wrong codes, and is worthless at another tenant', async () => {
      const bob = await createUser(t, tenants['mfa-opt']!, { roles: ['user'] });
      const { secret } = await enrol('mfa-opt', (await signIn('mfa-opt', bob)).access_token);
      advance(30);

      const expiring = (await signIn('mfa-opt', bob)).mfa_token;
      advance(301);
      problemOf(
        await verify('mfa-opt', { mfa_token: expiring, code: codeAt(secret) }),
        401,
        'IAM_ERR_MFA_TOKEN_INVALID',
      );

      const spent = (await signIn('mfa-opt', bob)).mfa_token;
      for (let i = 0; i < 3; i++) {
        problemOf(
          await verify('mfa-opt', { mfa_token: spent, code: '000000' }),
          401,
          'IAM_ERR_MFA_CODE_INVALID',
        );
      }
      problemOf(
        await verify('mfa-opt', { mfa_token: spent, code: codeAt(secret) }),
        401,
        'IAM_ERR_MFA_TOKEN_INVALID',
      );

      const elsewhere = (await signIn('mfa-opt', bob)).mfa_token;
      problemOf(
        await verify('mfa-req', { mfa_token: elsewhere, code: codeAt(secret) }),
        401,
        'IAM_ERR_MFA_TOKEN_INVALID',
      );
      problemOf(
        await verify('mfa-opt', { mfa_token: 'not-a-token', code: codeAt(secret) }),
        401,
        'IAM_ERR_MFA_TOKEN_INVALID',
      );
    });

    test('wrong codes across sign-ins pause verification for the account', async () => {
      const cat = await createUser(t, tenants['mfa-opt']!, { roles: ['user'] });
      const { secret } = await enrol('mfa-opt', (await signIn('mfa-opt', cat)).access_token);
      advance(30);
      // 3 per token, 7 per account: the third token's first wrong code reaches the account limit.
      for (let round = 0; round < 3; round++) {
        const { mfa_token } = await signIn('mfa-opt', cat);
        for (let i = 0; i < (round < 2 ? 3 : 1); i++) {
          problemOf(await verify('mfa-opt', { mfa_token, code: '999999' }), 401, 'IAM_ERR_MFA_CODE_INVALID');
        }
      }
      const { mfa_token } = await signIn('mfa-opt', cat);
      const paused = await verify('mfa-opt', { mfa_token, code: codeAt(secret) });
      problemOf(paused, 429, 'IAM_ERR_MFA_TOO_MANY_ATTEMPTS');
      assert.ok(Number(paused.headers['retry-after']) > 0);
      const failures = await t.database.db
        .selectFrom('outbox')
        .select('payload')
        .where('type', '=', 'mfa.verification_failed')
        .execute();
      const reasons = failures.map((row) => fromJson<{ user_id: string; reason: string }>(row.payload));
      assert.ok(reasons.some((r) => r.user_id === cat.id && r.reason === 'too_many_attempts'));
    });

    test('bad input gets problems and changes nothing', async () => {
      const dan = await createUser(t, tenants['mfa-opt']!, { roles: ['user'] });
      const token = (await signIn('mfa-opt', dan)).access_token;
      const url = '/t/mfa-opt/v1/me/mfa/totp/confirm';
      problemOf(await call('POST', url, token, { code: '123456' }), 409, 'IAM_ERR_MFA_NOT_ENROLLED');
      await call('POST', '/t/mfa-opt/v1/me/mfa/totp', token);
      const before = await countEvents(t, 'mfa.enrolled');
      for (const code of ['12345', '1234567', 'abcdef', 123456, null]) {
        problemOf(await call('POST', url, token, { code }), 422, 'IAM_ERR_VALIDATION');
      }
      problemOf(await call('POST', url, token, { code: '123456', extra: 1 }), 422, 'IAM_ERR_VALIDATION');
      const malformed = await t.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: '{"code":',
      });
      problemOf(malformed, 400, 'IAM_ERR_MALFORMED_REQUEST');
      problemOf(
        await verify('mfa-opt', { mfa_token: 'x', code: '123456', recovery_code: 'abcd-efgh-jkmn' }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(await verify('mfa-opt', { mfa_token: 'x' }), 422, 'IAM_ERR_VALIDATION');
      assert.equal(await countEvents(t, 'mfa.enrolled'), before);
      const rows = await t.database.withTenant(tenants['mfa-opt']!, (trx) =>
        trx.selectFrom('mfa_credentials').select('status').where('user_id', '=', dan.id).execute(),
      );
      assert.deepEqual(
        rows.map((r) => r.status),
        ['pending'],
      );
    });

    test('re-enrolling, new recovery codes, turning off, and the administrator reset', async () => {
      const eve = await createUser(t, tenants['mfa-opt']!, { roles: ['user'] });
      const token = (await signIn('mfa-opt', eve)).access_token;
      const { secret, recoveryCodes } = await enrol('mfa-opt', token);
      advance(30);

      // Replacing needs an answer from the current authenticator; until confirmed the old one works.
      problemOf(await call('POST', '/t/mfa-opt/v1/me/mfa/totp', token), 401, 'IAM_ERR_MFA_CODE_INVALID');
      const restart = await call('POST', '/t/mfa-opt/v1/me/mfa/totp', token, { code: codeAt(secret) });
      assert.equal(restart.statusCode, 201, restart.body);
      const status = (await call('GET', '/t/mfa-opt/v1/me/mfa', token)).json();
      assert.deepEqual(
        { ...status.totp, confirmed_at: null },
        { enrolled: true, confirmed_at: null, pending: true },
      );
      assert.equal(status.recovery_codes_remaining, 10);

      advance(30);
      const fresh = await call('POST', '/t/mfa-opt/v1/me/mfa/recovery-codes', token, {
        code: codeAt(secret),
      });
      assert.equal(fresh.statusCode, 200, fresh.body);
      const { mfa_token } = await signIn('mfa-opt', eve);
      problemOf(
        await verify('mfa-opt', { mfa_token, recovery_code: recoveryCodes[1]! }),
        401,
        'IAM_ERR_MFA_CODE_INVALID',
      );

      // Turning off needs the password and a factor.
      advance(30);
      problemOf(
        await call('DELETE', '/t/mfa-opt/v1/me/mfa/totp', token, { password: 'wrong', code: codeAt(secret) }),
        403,
        'IAM_ERR_WRONG_PASSWORD',
      );
      problemOf(
        await call('DELETE', '/t/mfa-opt/v1/me/mfa/totp', token, { password: eve.password, code: '000000' }),
        401,
        'IAM_ERR_MFA_CODE_INVALID',
      );
      const off = await call('DELETE', '/t/mfa-opt/v1/me/mfa/totp', token, {
        password: eve.password,
        recovery_code: fresh.json().recovery_codes[0],
      });
      assert.equal(off.statusCode, 204, off.body);
      assert.equal((await latestEvent(t, 'mfa.disabled'))?.user_id, eve.id);
      assert.ok((await signIn('mfa-opt', eve)).access_token, 'password alone again');

      // An administrator resets a user's factor; not another tenant's user, not without the permission.
      const admin = await createUser(t, tenants['mfa-opt']!, { roles: ['admin'] });
      const adminToken = (await signIn('mfa-opt', admin)).access_token;
      const frank = await createUser(t, tenants['mfa-opt']!, { roles: ['user'] });
      const frankToken = (await signIn('mfa-opt', frank)).access_token;
      await enrol('mfa-opt', frankToken);
      problemOf(
        await call('DELETE', `/t/mfa-opt/v1/users/${admin.id}/mfa`, frankToken),
        403,
        'IAM_ERR_FORBIDDEN',
      );
      const stranger = await createUser(t, tenants['mfa-req']!, { roles: ['user'] });
      problemOf(
        await call('DELETE', `/t/mfa-opt/v1/users/${stranger.id}/mfa`, adminToken),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
      problemOf(
        await call('DELETE', '/t/mfa-opt/v1/users/nope/mfa', adminToken),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
      const reset = await call('DELETE', `/t/mfa-opt/v1/users/${frank.id}/mfa`, adminToken);
      assert.equal(reset.statusCode, 204, reset.body);
      const event = await latestEvent(t, 'mfa.reset_by_admin');
      assert.equal(event?.user_id, frank.id);
      assert.equal(event?.actor_id, admin.id);
      problemOf(
        await call('DELETE', `/t/mfa-opt/v1/users/${frank.id}/mfa`, adminToken),
        409,
        'IAM_ERR_MFA_NOT_ENROLLED',
      );
      assert.ok((await signIn('mfa-opt', frank)).access_token);
    });

    test('a tenant that requires MFA lets an unenrolled user do nothing but enrol', async () => {
      const gus = await createUser(t, tenants['mfa-req']!, { roles: ['user'] });
      const restricted = await signIn('mfa-req', gus);
      assert.equal(decodeJwt(restricted.access_token).restriction, 'mfa_enrollment');
      for (const [method, url] of [
        ['GET', '/t/mfa-req/v1/me'],
        ['GET', '/t/mfa-req/v1/me/mfa'],
        ['GET', '/t/mfa-req/v1/me/sessions'],
        ['GET', '/t/mfa-req/v1/users'],
      ] as const) {
        problemOf(await call(method, url, restricted.access_token), 403, 'IAM_ERR_MFA_ENROLLMENT_REQUIRED');
      }
      // The refreshed token stays restricted until the enrolment is confirmed.
      const refresh = (token: string) =>
        t.app.inject({
          method: 'POST',
          url: '/t/mfa-req/oauth/token',
          payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
      const stillRestricted = await refresh(restricted.refresh_token);
      assert.equal(stillRestricted.statusCode, 200, stillRestricted.body);
      assert.equal(decodeJwt(stillRestricted.json().access_token).restriction, 'mfa_enrollment');

      const { secret } = await enrol('mfa-req', stillRestricted.json().access_token);
      const full = await refresh(stillRestricted.json().refresh_token);
      const claims = decodeJwt(full.json().access_token);
      assert.equal(claims.restriction, undefined);
      assert.deepEqual(claims.amr, ['pwd', 'otp']);
      assert.equal((await call('GET', '/t/mfa-req/v1/me', full.json().access_token)).statusCode, 200);

      // From now on the sign-in asks for the code, and the factor cannot be turned off.
      advance(30);
      const { mfa_token } = await signIn('mfa-req', gus);
      assert.equal((await verify('mfa-req', { mfa_token, code: codeAt(secret) })).statusCode, 200);
      advance(30);
      problemOf(
        await call('DELETE', '/t/mfa-req/v1/me/mfa/totp', full.json().access_token, {
          password: gus.password,
          code: codeAt(secret),
        }),
        409,
        'IAM_ERR_MFA_REQUIRED_BY_TENANT',
      );
    });

    test('policies see subject.mfa: a tenant can require MFA for chosen actions', async () => {
      const admin = await createUser(t, tenants['mfa-opt']!, { roles: ['admin'] });
      const pwdOnly = (await signIn('mfa-opt', admin)).access_token;
      const created = await call('POST', '/t/mfa-opt/v1/policies', pwdOnly, {
        name: 'listing-needs-mfa',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: 'user:list',
              Resource: '*',
              Condition: { BoolIfExists: { 'subject.mfa': 'false' } },
            },
          ],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const attach = await call(
        'PUT',
        `/t/mfa-opt/v1/policies/${created.json().id}/attachments/user/${admin.id}`,
        pwdOnly,
      );
      assert.equal(attach.statusCode, 204, attach.body);

      problemOf(await call('GET', '/t/mfa-opt/v1/users', pwdOnly), 403, 'IAM_ERR_FORBIDDEN');
      const { secret } = await enrol('mfa-opt', pwdOnly);
      advance(30);
      const { mfa_token } = await signIn('mfa-opt', admin);
      const withMfa = (await verify('mfa-opt', { mfa_token, code: codeAt(secret) })).json().access_token;
      assert.equal((await call('GET', '/t/mfa-opt/v1/users', withMfa)).statusCode, 200);
    });

    test('a tenant with MFA disabled has no enrolment and no second step', async () => {
      const hal = await createUser(t, tenants['mfa-off']!, { roles: ['user'] });
      const token = (await signIn('mfa-off', hal)).access_token;
      assert.ok(token);
      problemOf(await call('POST', '/t/mfa-off/v1/me/mfa/totp', token), 403, 'IAM_ERR_MFA_DISABLED');
      assert.equal((await call('GET', '/t/mfa-off/v1/me/mfa', token)).json().mode, 'disabled');
    });
  });
}
