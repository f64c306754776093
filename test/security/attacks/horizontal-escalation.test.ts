import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../../support/databases.ts';
import {
  createTenantWithAdmin,
  createUser,
  type TenantFixture,
  type UserFixture,
} from '../../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../../support/test-app.ts';
import { call, type Method, tenantState } from './attack-support.ts';

// Horizontal escalation (OWASP API1:2023 broken object level authorization): a user acting on another
// user, and a tenant administrator acting on another tenant's objects by id, through their own tenant's
// routes (ids of another tenant are 404, never 403) or through the other tenant's routes (401).

for (const variant of VARIANTS) {
  describe(`attack: horizontal escalation (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    let ann: UserFixture;
    let annToken: string;
    let bob: UserFixture;
    /** Objects of globex, by kind. */
    const g: Record<string, string> = {};

    before(async () => {
      t = await startTestApp(variant, { env: { WEBHOOK_ALLOW_INSECURE: 'true' } });
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
      ann = await createUser(t, acme.id, { roles: ['user'] });
      bob = await createUser(t, acme.id, { roles: ['user'] });
      annToken = await login(t.app, 'acme', ann.email, ann.password);
      const make = async (url: string, payload: object) => {
        const res = await call(t, 'POST', `/t/globex/v1${url}`, { token: globex.adminToken, payload });
        assert.equal(res.statusCode, 201, res.body);
        return res.json().id as string;
      };
      g.user = (await createUser(t, globex.id, { roles: ['user'] })).id;
      g.group = await make('/groups', { name: 'Globex staff' });
      g.role = await make('/roles', { name: 'globex-reader', permissions: ['user:read'] });
      g.policy = await make('/policies', {
        name: 'globex-policy',
        document: {
          Version: '2012-10-17',
          Statement: { Effect: 'Allow', Action: 'invoice:read', Resource: '*' },
        },
      });
      g.client = await make('/clients', { name: 'globex-gateway', permissions: ['token:introspect'] });
      g.webhook = await make('/webhooks', {
        url: 'http://127.0.0.1:9/hook',
        event_types: ['tenant.deleted'],
      });
      const sessions = await call(t, 'GET', `/t/globex/v1/users/${globex.adminId}/sessions`, {
        token: globex.adminToken,
      });
      g.session = sessions.json().items[0].id;
    });
    after(() => t.close());

    test('a user cannot read, change or delete another user of the same tenant', async () => {
      const before = await tenantState(t, acme.id);
      for (const [method, url, payload] of [
        ['GET', `/t/acme/v1/users/${bob.id}`],
        ['PATCH', `/t/acme/v1/users/${bob.id}`, { name: 'pwned' }],
        ['DELETE', `/t/acme/v1/users/${bob.id}`],
        ['POST', `/t/acme/v1/users/${bob.id}/deactivate`, { reason: 'pwned' }],
        ['GET', `/t/acme/v1/users/${bob.id}/sessions`],
        ['GET', `/t/acme/v1/users/${bob.id}/roles`],
        ['DELETE', `/t/acme/v1/users/${bob.id}/mfa`],
        ['GET', '/t/acme/v1/users'],
      ] as [Method, string, object?][]) {
        problemOf(await call(t, method, url, { token: annToken, payload }), 403, 'IAM_ERR_FORBIDDEN');
      }
      assert.deepEqual(await tenantState(t, acme.id), before);
    });

    test("a user cannot end another user's session through /me/sessions/{sid}", async () => {
      const bobToken = await login(t.app, 'acme', bob.email, bob.password);
      const bobSessions = (await call(t, 'GET', '/t/acme/v1/me/sessions', { token: bobToken })).json().items;
      const before = await tenantState(t, acme.id);
      for (const { id } of bobSessions) {
        problemOf(
          await call(t, 'DELETE', `/t/acme/v1/me/sessions/${id}`, { token: annToken }),
          404,
          'IAM_ERR_SESSION_NOT_FOUND',
        );
      }
      // And not globex's either.
      problemOf(
        await call(t, 'DELETE', `/t/acme/v1/me/sessions/${g.session}`, { token: annToken }),
        404,
        'IAM_ERR_SESSION_NOT_FOUND',
      );
      assert.deepEqual(await tenantState(t, acme.id), before);
      assert.equal((await call(t, 'GET', '/t/acme/v1/me', { token: bobToken })).statusCode, 200);
    });

    test("a tenant administrator naming another tenant's ids under their own tenant gets 404 and changes nothing", async () => {
      const before = await tenantState(t, globex.id);
      const acmeGroup = (
        await call(t, 'POST', '/t/acme/v1/groups', {
          token: acme.adminToken,
          payload: { name: 'Acme staff' },
        })
      ).json().id as string;
      const acmeRole = (
        await call(t, 'POST', '/t/acme/v1/roles', {
          token: acme.adminToken,
          payload: { name: 'acme-reader', permissions: ['user:read'] },
        })
      ).json().id as string;
      const acmePolicy = (
        await call(t, 'POST', '/t/acme/v1/policies', {
          token: acme.adminToken,
          payload: {
            name: 'acme-policy',
            document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } },
          },
        })
      ).json().id as string;
      const attempts: [Method, string, object?][] = [
        ['GET', `/users/${g.user}`],
        ['PATCH', `/users/${g.user}`, { name: 'pwned' }],
        ['DELETE', `/users/${g.user}`],
        ['POST', `/users/${g.user}/deactivate`, { reason: 'x' }],
        ['POST', `/users/${g.user}/restore`, {}],
        ['GET', `/users/${g.user}/sessions`],
        ['DELETE', `/users/${globex.adminId}/sessions/${g.session}`],
        ['DELETE', `/users/${g.user}/mfa`],
        ['GET', `/users/${g.user}/roles`],
        ['GET', `/users/${g.user}/permissions`],
        ['GET', `/users/${g.user}/groups`],
        ['PUT', `/users/${g.user}/roles/${acmeRole}`],
        ['PUT', `/users/${ann.id}/roles/${g.role}`],
        ['GET', `/groups/${g.group}`],
        ['PATCH', `/groups/${g.group}`, { name: 'pwned' }],
        ['DELETE', `/groups/${g.group}`],
        ['GET', `/groups/${g.group}/members`],
        ['PUT', `/groups/${g.group}/members/${ann.id}`],
        ['PUT', `/groups/${acmeGroup}/members/${g.user}`],
        ['PUT', `/groups/${g.group}/roles/${acmeRole}`],
        ['PUT', `/groups/${acmeGroup}/roles/${g.role}`],
        ['GET', `/roles/${g.role}`],
        ['PATCH', `/roles/${g.role}`, { permissions: ['*'] }],
        ['DELETE', `/roles/${g.role}`],
        ['GET', `/policies/${g.policy}`],
        ['GET', `/policies/${g.policy}/versions`],
        ['PATCH', `/policies/${g.policy}`, { description: 'pwned' }],
        ['DELETE', `/policies/${g.policy}`],
        ['PUT', `/policies/${g.policy}/attachments/user/${ann.id}`],
        ['PUT', `/policies/${acmePolicy}/attachments/user/${g.user}`],
        ['PUT', `/policies/${acmePolicy}/attachments/group/${g.group}`],
        ['PUT', `/policies/${acmePolicy}/attachments/role/${g.role}`],
        ['GET', `/clients/${g.client}`],
        ['PATCH', `/clients/${g.client}`, { status: 'disabled' }],
        ['DELETE', `/clients/${g.client}`],
        ['POST', `/clients/${g.client}/secret`, {}],
        ['GET', `/webhooks/${g.webhook}`],
        ['PATCH', `/webhooks/${g.webhook}`, { url: 'http://127.0.0.1:9/stolen' }],
        ['DELETE', `/webhooks/${g.webhook}`],
        ['POST', `/webhooks/${g.webhook}/rotate-secret`],
      ];
      for (const [method, path, payload] of attempts) {
        const res = await call(t, method, `/t/acme/v1${path}`, { token: acme.adminToken, payload });
        assert.equal(res.statusCode, 404, `${method} ${path}: ${res.statusCode} ${res.body}`);
        assert.match(String(res.json().code), /^IAM_ERR_[A-Z_]+_NOT_FOUND$/, `${method} ${path}`);
      }
      // A bulk membership change reports another tenant's user as not found, and adds nothing.
      const bulk = await call(t, 'POST', `/t/acme/v1/groups/${acmeGroup}/members`, {
        token: acme.adminToken,
        payload: { add: [g.user] },
      });
      assert.equal(bulk.statusCode, 200, bulk.body);
      assert.deepEqual(bulk.json().results, [{ user_id: g.user, result: 'not_found' }]);
      // An authorization check about another tenant's user: 404.
      problemOf(
        await call(t, 'POST', '/t/acme/v1/authz/check', {
          token: acme.adminToken,
          payload: { subject: g.user, action: 'user:read', resource: 'user/x' },
        }),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
      assert.deepEqual(await tenantState(t, globex.id), before);
    });

    test("a tenant administrator's token on the other tenant's routes is 401, reads and writes alike", async () => {
      const before = await tenantState(t, globex.id);
      for (const [method, path, payload] of [
        ['GET', '/users'],
        ['GET', `/users/${g.user}`],
        ['PATCH', `/users/${g.user}`, { name: 'pwned' }],
        ['POST', '/users', { email: 'planted@globex.test', password: 'a planted passphrase' }],
        ['POST', '/roles', { name: 'planted', permissions: ['*'] }],
        ['PUT', `/users/${g.user}/roles/${g.role}`],
        ['PATCH', '/settings', { registration: { enabled: true } }],
        ['POST', '/signing-keys/rotate', { immediate: true }],
        ['GET', '/webhooks'],
        ['GET', '/dead-letters'],
      ] as [Method, string, object?][]) {
        problemOf(
          await call(t, method, `/t/globex/v1${path}`, { token: acme.adminToken, payload }),
          401,
          'IAM_ERR_UNAUTHENTICATED',
        );
      }
      assert.deepEqual(await tenantState(t, globex.id), before);
    });
  });
}
