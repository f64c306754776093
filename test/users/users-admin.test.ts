import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import {
  countEvents,
  createTenantWithAdmin,
  createUser,
  snapshot,
  type TenantFixture,
} from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`users: administration (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let other: TenantFixture;
    let offsetMs = 0;
    before(async () => {
      t = await startTestApp(variant, { clock: { now: () => new Date(Date.now() + offsetMs) } });
      acme = await createTenantWithAdmin(t, 'acme');
      other = await createTenantWithAdmin(t, 'other');
    });
    after(() => t.close());

    const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: method as 'GET',
        url: `/t/acme/v1${url}`,
        headers: { authorization: `Bearer ${acme.adminToken}`, ...headers },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    test('create with a password, read with an ETag, update with If-Match', async () => {
      const res = await call('POST', '/users', {
        email: ' Jane.Doe@Example.COM ',
        password: 'a sufficiently long passphrase',
        name: 'Jane',
        zoneinfo: 'Europe/Paris',
        attributes: { team: 'blue' },
      });
      assert.equal(res.statusCode, 201);
      const user = res.json();
      assert.equal(user.email, 'Jane.Doe@Example.COM');
      assert.equal(user.email_verified, false);
      assert.equal(user.status, 'active');
      assert.deepEqual(user.attributes, { team: 'blue' });
      assert.equal(res.headers.location, `/t/acme/v1/users/${user.id}`);
      assert.equal(
        await login(t.app, 'acme', 'jane.doe@example.com', 'a sufficiently long passphrase').then(() => true),
        true,
      );

      const read = await call('GET', `/users/${user.id}`);
      const etag = String(read.headers.etag);
      assert.match(etag, /^".+"$/);
      const patched = await call(
        'PATCH',
        `/users/${user.id}`,
        { given_name: 'Jane', family_name: 'Doe', locale: 'fr-FR' },
        { 'if-match': etag },
      );
      assert.equal(patched.statusCode, 200);
      assert.equal(patched.json().family_name, 'Doe');
      assert.notEqual(patched.headers.etag, etag);
      problemOf(
        await call('PATCH', `/users/${user.id}`, { name: 'Stale' }, { 'if-match': etag }),
        412,
        'IAM_ERR_PRECONDITION_FAILED',
      );
      assert.equal((await call('GET', `/users/${user.id}`)).json().name, 'Jane');
    });

    test('without a password the user is invited', async () => {
      const before = await countEvents(t, 'user.invited');
      const res = await call('POST', '/users', { email: 'invitee@example.com' });
      assert.equal(res.statusCode, 201);
      assert.equal(await countEvents(t, 'user.invited'), before + 1);
    });

    test('duplicate emails are refused case-insensitively; the same address in another tenant is another user', async () => {
      await call('POST', '/users', { email: 'dup@example.com', password: 'a sufficiently long passphrase' });
      problemOf(
        await call('POST', '/users', {
          email: 'DUP@example.com',
          password: 'a sufficiently long passphrase',
        }),
        409,
        'IAM_ERR_EMAIL_TAKEN',
      );
      const elsewhere = await t.app.inject({
        method: 'POST',
        url: '/t/other/v1/users',
        headers: { authorization: `Bearer ${other.adminToken}` },
        payload: { email: 'dup@example.com' },
      });
      assert.equal(elsewhere.statusCode, 201);
    });

    test('weak passwords are refused naming the rule', async () => {
      const cases: [string, string][] = [
        ['short', 'must be at least 12 characters'],
        ['x'.repeat(129), 'must be at most 128 characters'],
        ['password1234', 'is too common'],
        ['weakling@example.com!!', 'must not contain your email address'],
      ];
      for (const [password, message] of cases) {
        const body = problemOf(
          await call('POST', '/users', { email: 'weakling@example.com', password }),
          422,
          'IAM_ERR_WEAK_PASSWORD',
        );
        assert.deepEqual(body.errors, [{ pointer: '/password', message, in: 'body' }]);
      }
    });

    test('deactivation locks the user out at once; activation lets them back', async () => {
      const u = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', u.email, u.password);
      const me = () =>
        t.app.inject({ method: 'GET', url: '/t/acme/v1/me', headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me()).statusCode, 200);
      problemOf(await call('POST', `/users/${u.id}/deactivate`, {}), 422, 'IAM_ERR_VALIDATION');
      const res = await call('POST', `/users/${u.id}/deactivate`, { reason: 'left the company' });
      assert.equal(res.json().status, 'deactivated');
      assert.equal(res.json().status_reason, 'left the company');
      await new Promise((r) => setTimeout(r, 1100));
      problemOf(await me(), 401, 'IAM_ERR_UNAUTHENTICATED');
      await assert.rejects(login(t.app, 'acme', u.email, u.password), /401/);
      await call('POST', `/users/${u.id}/activate`);
      assert.ok(await login(t.app, 'acme', u.email, u.password));
    });

    test('soft delete hides the user; restore brings them back within retention', async () => {
      const u = await createUser(t, acme.id);
      assert.equal((await call('DELETE', `/users/${u.id}`)).statusCode, 204);
      problemOf(await call('GET', `/users/${u.id}`), 404, 'IAM_ERR_USER_NOT_FOUND');
      await assert.rejects(login(t.app, 'acme', u.email, u.password), /401/);
      const listed = (await call('GET', '/users?limit=200')).json().items.map((x: { id: string }) => x.id);
      assert.ok(!listed.includes(u.id));
      const deleted = (await call('GET', '/users?include=deleted'))
        .json()
        .items.map((x: { id: string }) => x.id);
      assert.ok(deleted.includes(u.id));
      // The address is free again while the user is deleted.
      const taken = await call('POST', '/users', {
        email: u.email,
        password: 'a sufficiently long passphrase',
      });
      assert.equal(taken.statusCode, 201);
      problemOf(await call('POST', `/users/${u.id}/restore`), 409, 'IAM_ERR_EMAIL_TAKEN');
      await call('DELETE', `/users/${taken.json().id}`);
      const restored = await call('POST', `/users/${u.id}/restore`);
      assert.equal(restored.statusCode, 200);
      assert.equal(restored.json().deleted_at, null);
      assert.ok(await login(t.app, 'acme', u.email, u.password));

      await call('DELETE', `/users/${u.id}`);
      offsetMs = 31 * 86_400_000;
      try {
        // Sign in again at the shifted time: the earlier token has expired by then.
        const token = await login(t.app, 'acme', acme.adminEmail, acme.adminPassword);
        const late = await t.app.inject({
          method: 'POST',
          url: `/t/acme/v1/users/${u.id}/restore`,
          headers: { authorization: `Bearer ${token}` },
        });
        problemOf(late, 409, 'IAM_ERR_RESTORE_EXPIRED');
      } finally {
        offsetMs = 0;
      }
    });

    test("another tenant's ids and malformed ids are not found", async () => {
      const foreign = await createUser(t, other.id);
      for (const [method, url, payload] of [
        ['GET', `/users/${foreign.id}`],
        ['PATCH', `/users/${foreign.id}`, { name: 'x' }],
        ['DELETE', `/users/${foreign.id}`],
        ['POST', `/users/${foreign.id}/deactivate`, { reason: 'x' }],
        ['POST', `/users/${foreign.id}/restore`],
        ['GET', '/users/not-a-uuid'],
        ['GET', '/users/00000000-0000-0000-0000-000000000000'],
      ] as [string, string, unknown?][]) {
        problemOf(await call(method, url, payload), 404, 'IAM_ERR_USER_NOT_FOUND');
      }
      assert.equal(
        (
          await t.app.inject({
            method: 'GET',
            url: `/t/other/v1/users/${foreign.id}`,
            headers: { authorization: `Bearer ${other.adminToken}` },
          })
        ).statusCode,
        200,
      );
    });

    test('bad input changes nothing', async () => {
      const u = await createUser(t, acme.id);
      const before = await snapshot(t, acme.id);
      const bad: [string, string, unknown, number, string][] = [
        [
          'POST',
          '/users',
          { email: 'not-an-email', password: 'a sufficiently long passphrase' },
          422,
          'IAM_ERR_VALIDATION',
        ],
        ['POST', '/users', { email: 'a@b.co\r\nBcc: x@y.z' }, 422, 'IAM_ERR_VALIDATION'],
        ['POST', '/users', { email: 'ok@example.com', status: 'deactivated' }, 422, 'IAM_ERR_VALIDATION'],
        ['POST', '/users', { email: 'ok@example.com', tenant_id: other.id }, 422, 'IAM_ERR_VALIDATION'],
        ['POST', '/users', { email: 'ok@example.com', zoneinfo: 'Mars/Olympus' }, 422, 'IAM_ERR_VALIDATION'],
        ['POST', '/users', { email: 'ok@example.com', phone_number: '12345' }, 422, 'IAM_ERR_VALIDATION'],
        [
          'POST',
          '/users',
          { email: 'ok@example.com', attributes: { big: 'x'.repeat(9000) } },
          422,
          'IAM_ERR_VALIDATION',
        ],
        ['POST', '/users', { email: 42 }, 422, 'IAM_ERR_VALIDATION'],
        ['PATCH', `/users/${u.id}`, {}, 422, 'IAM_ERR_VALIDATION'],
        ['PATCH', `/users/${u.id}`, { status: 'deactivated' }, 422, 'IAM_ERR_VALIDATION'],
        ['PATCH', `/users/${u.id}`, { roles: ['admin'] }, 422, 'IAM_ERR_VALIDATION'],
        ['PATCH', `/users/${u.id}`, { email: 'admin@acme.test' }, 409, 'IAM_ERR_EMAIL_TAKEN'],
        ['GET', '/users?sort=password', undefined, 422, 'IAM_ERR_VALIDATION'],
        ['GET', "/users?email=' OR 1=1 --", undefined, 200, ''],
      ];
      for (const [method, url, payload, status, code] of bad) {
        const res = await call(method, url, payload);
        if (status === 200) assert.deepEqual(res.json().items, []);
        else problemOf(res, status, code);
      }
      const malformed = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/users',
        headers: { authorization: `Bearer ${acme.adminToken}`, 'content-type': 'application/json' },
        payload: '{"email":',
      });
      problemOf(malformed, 400, 'IAM_ERR_MALFORMED_REQUEST');
      assert.deepEqual(await snapshot(t, acme.id), before);
    });

    test('ordinary users cannot administer users', async () => {
      const u = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', u.email, u.password);
      const res = await t.app.inject({
        method: 'GET',
        url: '/t/acme/v1/users',
        headers: { authorization: `Bearer ${token}` },
      });
      problemOf(res, 403, 'IAM_ERR_FORBIDDEN');
      // and the other tenant's administrator cannot reach this tenant at all
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: '/t/acme/v1/users',
          headers: { authorization: `Bearer ${other.adminToken}` },
        }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
    });
  });
}
