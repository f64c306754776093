import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base64url, decodeJwt } from 'jose';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const variant of VARIANTS) {
  describe(`service clients, introspection and revocation (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let other: TenantFixture;
    let offsetMs = 0;
    let introspector: { client_id: string; client_secret: string };
    before(async () => {
      t = await startTestApp(variant, { clock: { now: () => new Date(Date.now() + offsetMs) } });
      acme = await createTenantWithAdmin(t, 'acme');
      other = await createTenantWithAdmin(t, 'other');
      introspector = (
        await createClient(acme, { name: 'api gateway', permissions: ['token:introspect'] })
      ).json();
    });
    after(() => t.close());

    function createClient(tenant: TenantFixture, payload: unknown) {
      return t.app.inject({
        method: 'POST',
        url: `/t/${tenant.slug}/v1/clients`,
        headers: { authorization: `Bearer ${tenant.adminToken}` },
        payload: payload as object,
      });
    }
    const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: `/t/acme/oauth/${path}`,
        headers: { ...FORM, ...headers },
        payload: new URLSearchParams(body).toString(),
      });
    const introspect = (token: string) =>
      post(
        'introspect',
        { token },
        { authorization: basic(introspector.client_id, introspector.client_secret) },
      );

    test('a client gets tokens with client_secret_basic or client_secret_post, never both', async () => {
      const created = await createClient(acme, {
        name: 'reporting',
        permissions: ['user:list', 'user:read'],
      });
      assert.equal(created.statusCode, 201);
      assert.equal(created.headers['cache-control'], 'no-store');
      const client = created.json();
      assert.match(client.client_secret, /^[A-Za-z0-9_-]{43}$/);
      const viaBasic = await post(
        'token',
        { grant_type: 'client_credentials' },
        { authorization: basic(client.client_id, client.client_secret) },
      );
      assert.equal(viaBasic.statusCode, 200, viaBasic.body);
      const claims = decodeJwt(viaBasic.json().access_token);
      assert.equal(claims.client_id, client.client_id);
      assert.equal(claims.sub, client.client_id);
      assert.equal(viaBasic.json().refresh_token, undefined);
      const viaPost = await post('token', {
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret,
      });
      assert.equal(viaPost.statusCode, 200);
      const both = await post(
        'token',
        {
          grant_type: 'client_credentials',
          client_id: client.client_id,
          client_secret: client.client_secret,
        },
        { authorization: basic(client.client_id, client.client_secret) },
      );
      assert.equal(both.json().error, 'invalid_request');
      const wrong = await post(
        'token',
        { grant_type: 'client_credentials' },
        { authorization: basic(client.client_id, 'wrong') },
      );
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().error, 'invalid_client');
      assert.match(String(wrong.headers['www-authenticate']), /^Basic realm=/);
      // The client's token acts within its permissions only.
      const token = viaBasic.json().access_token;
      assert.equal(
        (
          await t.app.inject({
            method: 'GET',
            url: '/t/acme/v1/users',
            headers: { authorization: `Bearer ${token}` },
          })
        ).statusCode,
        200,
      );
      problemOf(
        await t.app.inject({
          method: 'POST',
          url: '/t/acme/v1/users',
          headers: { authorization: `Bearer ${token}` },
          payload: { email: 'x@example.com' },
        }),
        403,
        'IAM_ERR_FORBIDDEN',
      );
      // and it never exposes its secret again
      const read = await t.app.inject({
        method: 'GET',
        url: `/t/acme/v1/clients/${client.id}`,
        headers: { authorization: `Bearer ${acme.adminToken}` },
      });
      assert.equal(read.json().client_secret, undefined);
      assert.equal(JSON.stringify(t.logs).includes(client.client_secret), false);
    });

    test('rotation keeps the previous secret for the overlap only; disabling refuses tokens', async () => {
      const client = (await createClient(acme, { name: 'rotating', permissions: ['user:read'] })).json();
      const rotated = await t.app.inject({
        method: 'POST',
        url: `/t/acme/v1/clients/${client.id}/secret`,
        headers: { authorization: `Bearer ${acme.adminToken}` },
        payload: { overlap_seconds: 60 },
      });
      const fresh = rotated.json().client_secret;
      assert.notEqual(fresh, client.client_secret);
      for (const secret of [client.client_secret, fresh]) {
        assert.equal(
          (
            await post(
              'token',
              { grant_type: 'client_credentials' },
              { authorization: basic(client.client_id, secret) },
            )
          ).statusCode,
          200,
        );
      }
      offsetMs = 120_000;
      try {
        assert.equal(
          (
            await post(
              'token',
              { grant_type: 'client_credentials' },
              { authorization: basic(client.client_id, client.client_secret) },
            )
          ).statusCode,
          401,
        );
        assert.equal(
          (
            await post(
              'token',
              { grant_type: 'client_credentials' },
              { authorization: basic(client.client_id, fresh) },
            )
          ).statusCode,
          200,
        );
      } finally {
        offsetMs = 0;
      }
      const token = (
        await post(
          'token',
          { grant_type: 'client_credentials' },
          { authorization: basic(client.client_id, fresh) },
        )
      ).json().access_token;
      const admin = await login(t.app, 'acme', acme.adminEmail, acme.adminPassword);
      await t.app.inject({
        method: 'PATCH',
        url: `/t/acme/v1/clients/${client.id}`,
        headers: { authorization: `Bearer ${admin}` },
        payload: { status: 'disabled' },
      });
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: `/t/acme/v1/users/${acme.adminId}`,
          headers: { authorization: `Bearer ${token}` },
        }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      assert.equal(
        (
          await post(
            'token',
            { grant_type: 'client_credentials' },
            { authorization: basic(client.client_id, fresh) },
          )
        ).statusCode,
        401,
      );
    });

    test('client input is validated', async () => {
      problemOf(
        await createClient(acme, { name: 'x', permissions: ['tenant:create'] }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await createClient(acme, { name: 'x', permissions: ['nope:read'] }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await createClient(acme, { name: 'x', permissions: [], grant_types: ['password'] }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await createClient(acme, { name: 'x', permissions: [], secret: 'mine' }),
        422,
        'IAM_ERR_VALIDATION',
      );
      const foreign = (await createClient(other, { name: 'theirs', permissions: [] })).json();
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: `/t/acme/v1/clients/${foreign.id}`,
          headers: { authorization: `Bearer ${acme.adminToken}` },
        }),
        404,
        'IAM_ERR_CLIENT_NOT_FOUND',
      );
      // Another tenant's client cannot get tokens here.
      assert.equal(
        (
          await post(
            'token',
            { grant_type: 'client_credentials' },
            { authorization: basic(foreign.client_id, foreign.client_secret) },
          )
        ).statusCode,
        401,
      );
    });

    test('introspection: full answer for a live token, `active: false` alone otherwise', async () => {
      const u = await createUser(t, acme.id, { roles: ['user'] });
      const session = (
        await t.app.inject({
          method: 'POST',
          url: '/t/acme/v1/auth/login',
          payload: { email: u.email, password: u.password },
        })
      ).json();
      const live = await introspect(session.access_token);
      assert.equal(live.statusCode, 200);
      const body = live.json();
      assert.equal(body.active, true);
      assert.equal(body.sub, u.id);
      assert.equal(body.username, u.email);
      assert.equal(body.iss, 'http://localhost:8080/t/acme');
      assert.deepEqual(body.amr, ['pwd']);
      for (const member of ['exp', 'iat', 'jti', 'sid', 'tid', 'aud', 'token_type'])
        assert.ok(body[member] !== undefined, member);
      const refresh = (await introspect(session.refresh_token)).json();
      assert.equal(refresh.active, true);
      assert.equal(refresh.token_type, 'refresh_token');

      const [h, p, s] = session.access_token.split('.');
      const otherToken = await login(t.app, 'other', other.adminEmail, other.adminPassword);
      const inactive = [
        `${h}.${base64url.encode(JSON.stringify({ ...decodeJwt(session.access_token), sub: 'x' }))}.${s}`,
        `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${p}.`,
        otherToken,
        'garbage',
        'a.b.c',
      ];
      for (const token of inactive)
        assert.deepEqual((await introspect(token)).json(), { active: false }, token.slice(0, 20));
      offsetMs = 11 * 60_000;
      try {
        assert.deepEqual((await introspect(session.access_token)).json(), { active: false });
      } finally {
        offsetMs = 0;
      }
      await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/logout',
        headers: { authorization: `Bearer ${session.access_token}` },
      });
      assert.deepEqual((await introspect(session.access_token)).json(), { active: false });
      assert.deepEqual((await introspect(session.refresh_token)).json(), { active: false });
    });

    test('introspection callers must be authenticated and hold token:introspect', async () => {
      const weak = (await createClient(acme, { name: 'weak', permissions: ['user:read'] })).json();
      for (const headers of [
        {} as Record<string, string>,
        { authorization: basic(weak.client_id, weak.client_secret) },
        { authorization: basic(introspector.client_id, 'bad') },
        { authorization: 'Bearer nope' },
      ]) {
        const res = await post('introspect', { token: 'x' }, headers);
        assert.equal(res.statusCode, 401, JSON.stringify(headers));
        assert.equal(res.json().error, 'invalid_client');
      }
      const json = await t.app.inject({
        method: 'POST',
        url: '/t/acme/oauth/introspect',
        headers: { authorization: basic(introspector.client_id, introspector.client_secret) },
        payload: { token: 'x' },
      });
      assert.equal(json.json().error, 'invalid_request');
      // A bearer token whose user holds token:introspect (the tenant admin) may introspect too.
      const admin = await login(t.app, 'acme', acme.adminEmail, acme.adminPassword);
      const res = await post('introspect', { token: admin }, { authorization: `Bearer ${admin}` });
      assert.equal(res.json().active, true);
    });

    test('revocation (RFC 7009): access and refresh tokens; 200 for unknown ones', async () => {
      const u = await createUser(t, acme.id, { roles: ['user'] });
      const a = (
        await t.app.inject({
          method: 'POST',
          url: '/t/acme/v1/auth/login',
          payload: { email: u.email, password: u.password },
        })
      ).json();
      assert.equal(
        (await post('revoke', { token: a.access_token, token_type_hint: 'access_token' })).statusCode,
        200,
      );
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: '/t/acme/v1/me',
          headers: { authorization: `Bearer ${a.access_token}` },
        }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      // The session itself lives on: its refresh token still works.
      const next = await post('token', { grant_type: 'refresh_token', refresh_token: a.refresh_token });
      assert.equal(next.statusCode, 200);
      assert.equal((await post('revoke', { token: next.json().refresh_token })).statusCode, 200);
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: '/t/acme/v1/me',
          headers: { authorization: `Bearer ${next.json().access_token}` },
        }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      for (const token of ['unknown', 'x.y.z'])
        assert.equal((await post('revoke', { token })).statusCode, 200);
      assert.equal((await post('revoke', {})).json().error, 'invalid_request');
      assert.equal(
        (await post('revoke', { token: 'x' }, { authorization: basic(introspector.client_id, 'wrong') }))
          .statusCode,
        401,
      );
    });

    test('discovery and userinfo', async () => {
      const doc = (
        await t.app.inject({ method: 'GET', url: '/t/acme/.well-known/openid-configuration' })
      ).json();
      assert.equal(doc.issuer, 'http://localhost:8080/t/acme');
      assert.equal(doc.token_endpoint, 'http://localhost:8080/t/acme/oauth/token');
      assert.equal(doc.jwks_uri, 'http://localhost:8080/t/acme/.well-known/jwks.json');
      assert.ok(doc.grant_types_supported.includes('client_credentials'));
      const u = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', u.email, u.password);
      for (const method of ['GET', 'POST'] as const) {
        const info = (
          await t.app.inject({
            method,
            url: '/t/acme/v1/userinfo',
            headers: { authorization: `Bearer ${token}` },
          })
        ).json();
        assert.equal(info.sub, u.id);
        assert.equal(info.email, u.email);
        assert.equal(info.email_verified, true);
        assert.equal(info.name, undefined);
      }
    });
  });
}
