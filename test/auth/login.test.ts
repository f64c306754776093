import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base64url, decodeJwt, decodeProtectedHeader } from 'jose';
import { findUserById } from '../../src/users/index.ts';
import { updateUser } from '../../src/users/user-repository.ts';
import { VARIANTS } from '../support/databases.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

const loginUrl = '/t/platform/v1/auth/login';

for (const variant of VARIANTS) {
  describe(`password login and access tokens (${variant})`, () => {
    let t: TestApp;
    let offsetMs = 0;
    before(async () => {
      t = await startTestApp(variant, { clock: { now: () => new Date(Date.now() + offsetMs) } });
    });
    after(() => t.close());

    const tenantsWith = (token: string) =>
      t.app.inject({ method: 'GET', url: '/v1/tenants', headers: { authorization: `Bearer ${token}` } });

    test('a correct login returns a Bearer token that is not cached', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: loginUrl,
        payload: { email: `  ${ADMIN_EMAIL.toUpperCase()} `, password: ADMIN_PASSWORD },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 600);
      const header = decodeProtectedHeader(body.access_token);
      assert.equal(header.alg, 'EdDSA');
      assert.equal(header.typ, 'at+jwt');
      const claims = decodeJwt(body.access_token);
      assert.equal(claims.iss, 'http://localhost:8080/t/platform');
      assert.equal(claims.aud, 'http://localhost:8080/t/platform');
      assert.deepEqual(claims.amr, ['pwd']);
      for (const claim of ['sub', 'exp', 'iat', 'jti', 'tid', 'sid']) assert.ok(claims[claim], claim);
      assert.equal(Number(claims.exp) - Number(claims.iat), 600);
      assert.equal((await tenantsWith(body.access_token)).statusCode, 200);
    });

    test('wrong password and unknown email get the same problem', async () => {
      const wrong = problemOf(
        await t.app.inject({
          method: 'POST',
          url: loginUrl,
          payload: { email: ADMIN_EMAIL, password: 'nope nope nope' },
        }),
        401,
        'IAM_ERR_INVALID_CREDENTIALS',
      );
      const unknown = problemOf(
        await t.app.inject({
          method: 'POST',
          url: loginUrl,
          payload: { email: 'ghost@example.test', password: 'nope nope nope' },
        }),
        401,
        'IAM_ERR_INVALID_CREDENTIALS',
      );
      delete wrong.request_id;
      delete unknown.request_id;
      assert.deepEqual(wrong, unknown);
    });

    test('login input is validated', async () => {
      for (const payload of [
        {},
        { email: ADMIN_EMAIL },
        { email: 1, password: 'x' },
        { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, role: 'admin' },
      ]) {
        problemOf(await t.app.inject({ method: 'POST', url: loginUrl, payload }), 422, 'IAM_ERR_VALIDATION');
      }
      problemOf(
        await t.app.inject({
          method: 'POST',
          url: '/t/no-such-tenant/v1/auth/login',
          payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
        }),
        404,
        'IAM_ERR_TENANT_NOT_FOUND',
      );
    });

    test('the JWKS publishes the signing key; cache headers are set', async () => {
      const token = await t.adminToken();
      const res = await t.app.inject({ method: 'GET', url: '/t/platform/.well-known/jwks.json' });
      assert.equal(res.headers['cache-control'], 'public, max-age=300');
      const { keys } = res.json();
      assert.equal(keys.length, 1);
      assert.equal(keys[0].kid, decodeProtectedHeader(token).kid);
      assert.equal(keys[0].kty, 'OKP');
      assert.equal(keys[0].crv, 'Ed25519');
      assert.equal(keys[0].d, undefined, 'no private part');
    });

    test('forged and altered tokens are refused', async () => {
      const token = await t.adminToken();
      const [h, p, s] = token.split('.') as [string, string, string];
      const claims = decodeJwt(token);
      const enc = (o: object) => base64url.encode(JSON.stringify(o));
      const forgeries = [
        `${enc({ alg: 'none', typ: 'at+jwt' })}.${p}.`,
        `${enc({ ...decodeProtectedHeader(token), alg: 'HS256' })}.${p}.${s}`,
        `${h}.${enc({ ...claims, sub: 'someone-else' })}.${s}`,
        `${h}.${p}`,
        `${enc({ ...decodeProtectedHeader(token), kid: 'unknown-kid' })}.${p}.${s}`,
        `${enc({ ...decodeProtectedHeader(token), typ: 'JWT' })}.${p}.${s}`,
        `${h}.${enc({ ...claims, iss: 'https://evil.example/t/platform' })}.${s}`,
        'not-a-jwt',
      ];
      for (const forged of forgeries) problemOf(await tenantsWith(forged), 401, 'IAM_ERR_UNAUTHENTICATED');
    });

    test('expired tokens are refused', async () => {
      const token = await t.adminToken();
      offsetMs = 11 * 60_000;
      try {
        problemOf(await tenantsWith(token), 401, 'IAM_ERR_UNAUTHENTICATED');
      } finally {
        offsetMs = 0;
      }
      assert.equal((await tenantsWith(token)).statusCode, 200);
    });

    test("one tenant's token is worthless at another", async () => {
      const token = await t.adminToken();
      await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { authorization: `Bearer ${token}` },
        payload: { slug: 'second', display_name: 'Second' },
      });
      // The platform token at a route of tenant `second` (its key set does not include the platform's key).
      const res = await t.app.inject({ method: 'GET', url: '/t/second/.well-known/jwks.json' });
      assert.equal(res.statusCode, 200);
      const secondKeys = res.json().keys as { kid: string }[];
      assert.ok(!secondKeys.some((k) => k.kid === decodeProtectedHeader(token).kid));
    });

    test('suspending a tenant stops its tokens', async () => {
      const auth = { authorization: `Bearer ${await t.adminToken()}` };
      await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: auth,
        payload: { slug: 'soon-suspended', display_name: 'S' },
      });
      const { insertUser, createPasswordHasher } = await import('../../src/users/index.ts');
      const { assignRole } = await import('../../src/roles/index.ts');
      const tenant = (
        await t.app.inject({ method: 'GET', url: '/v1/tenants/soon-suspended', headers: auth })
      ).json();
      const hash = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 }).hash(
        'a long password here',
      );
      await t.database.withTenant(tenant.id, async (trx) => {
        const now = new Date().toISOString();
        await insertUser(trx, tenant.id, {
          id: '00000000-0000-7000-8000-000000000002',
          email: 'a@s.test',
          emailNormalized: 'a@s.test',
          emailVerified: true,
          passwordHash: hash,
          name: null,
          now,
        });
        await assignRole(trx, tenant.id, '00000000-0000-7000-8000-000000000002', 'admin', now);
      });
      const login = await t.app.inject({
        method: 'POST',
        url: '/t/soon-suspended/v1/auth/login',
        payload: { email: 'a@s.test', password: 'a long password here' },
      });
      const tenantToken = login.json().access_token;
      assert.equal(decodeJwt(tenantToken).iss, 'http://localhost:8080/t/soon-suspended');
      // The tenant's token does not open platform routes either.
      problemOf(await tenantsWith(tenantToken), 403, 'IAM_ERR_FORBIDDEN');
      await t.app.inject({
        method: 'PATCH',
        url: '/v1/tenants/soon-suspended',
        headers: auth,
        payload: { status: 'suspended' },
      });
      problemOf(await tenantsWith(tenantToken), 401, 'IAM_ERR_UNAUTHENTICATED');
      problemOf(
        await t.app.inject({
          method: 'POST',
          url: '/t/soon-suspended/v1/auth/login',
          payload: { email: 'a@s.test', password: 'a long password here' },
        }),
        403,
        'IAM_ERR_TENANT_SUSPENDED',
      );
    });

    test('a deactivated administrator is locked out on the next request', async () => {
      const token = await t.adminToken();
      const claims = decodeJwt(token);
      const platformId = String(claims.tid);
      const adminId = String(claims.sub);
      // As the user service writes it: the row and its change notice in one transaction.
      const setStatus = async (status: 'active' | 'deactivated') => {
        const row = await t.database.withTenant(platformId, (trx) => findUserById(trx, platformId, adminId));
        await t.database.withTenant(platformId, (trx) =>
          updateUser(trx, platformId, adminId, Number(row?.version), { status }, new Date().toISOString()),
        );
      };
      await setStatus('deactivated');
      try {
        problemOf(await tenantsWith(token), 401, 'IAM_ERR_UNAUTHENTICATED');
        problemOf(
          await t.app.inject({
            method: 'POST',
            url: loginUrl,
            payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
          }),
          401,
          'IAM_ERR_INVALID_CREDENTIALS',
        );
      } finally {
        await setStatus('active');
      }
    });
  });
}
