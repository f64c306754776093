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
import { call, tenantState } from './attack-support.ts';

// Vertical escalation (OWASP API5:2023 broken function level authorization, API3 mass assignment): a
// user or a partial administrator gaining permissions they were not given.

const PASSPHRASE = 'a long and uncommon passphrase';

for (const variant of VARIANTS) {
  describe(`attack: vertical escalation (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let ann: UserFixture;
    let annToken: string;
    const roleIds: Record<string, string> = {};

    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      ann = await createUser(t, acme.id, { roles: ['user'] });
      annToken = await login(t.app, 'acme', ann.email, ann.password);
      const roles = await call(t, 'GET', '/t/acme/v1/roles?limit=200', { token: acme.adminToken });
      for (const r of roles.json().items as { id: string; name: string }[]) roleIds[r.name] = r.id;
    });
    after(() => t.close());

    /** A user holding one custom role with exactly these permissions, signed in. */
    async function holderOf(name: string, permissions: string[]) {
      const role = await call(t, 'POST', '/t/acme/v1/roles', {
        token: acme.adminToken,
        payload: { name, permissions },
      });
      assert.equal(role.statusCode, 201, role.body);
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const given = await call(t, 'PUT', `/t/acme/v1/users/${user.id}/roles/${role.json().id}`, {
        token: acme.adminToken,
      });
      assert.equal(given.statusCode, 204, given.body);
      return {
        ...user,
        roleId: role.json().id as string,
        token: await login(t.app, 'acme', user.email, user.password),
      };
    }
    const canListUsers = async (token: string) =>
      (await call(t, 'GET', '/t/acme/v1/users', { token })).statusCode === 200;

    test('a user cannot give themselves a role', async () => {
      const before = await tenantState(t, acme.id);
      for (const role of ['admin', 'auditor']) {
        problemOf(
          await call(t, 'PUT', `/t/acme/v1/users/${ann.id}/roles/${roleIds[role]}`, { token: annToken }),
          403,
          'IAM_ERR_FORBIDDEN',
        );
      }
      assert.deepEqual(await tenantState(t, acme.id), before);
    });

    test('mass assignment through PATCH /me: privileged fields are refused and nothing changes', async () => {
      const before = await tenantState(t, acme.id);
      const privileged: Record<string, unknown>[] = [
        { status: 'active' },
        { status: 'deactivated' },
        { roles: ['admin'] },
        { tenant_id: '00000000-0000-7000-8000-000000000000' },
        { email_verified: true },
        { id: acme.adminId },
        { password_hash: '$2b$10$abcdefghijklmnopqrstuuQJ0Q7o6z5Ck0f0ZyJmJ8r6i1xgq7nG' },
        { deleted_at: null },
        { created_at: '2000-01-01T00:00:00Z' },
        { version: 1 },
        { permissions: ['*'] },
      ];
      for (const extra of privileged) {
        const res = await call(t, 'PATCH', '/t/acme/v1/me', {
          token: annToken,
          payload: { name: 'Ann', ...extra },
        });
        problemOf(res, 422, 'IAM_ERR_VALIDATION');
      }
      // Prototype pollution keys are no fields either.
      for (const raw of [
        '{"__proto__":{"status":"deactivated"},"name":"x"}',
        '{"constructor":{"prototype":{"x":1}}}',
      ]) {
        const res = await t.app.inject({
          method: 'PATCH',
          url: '/t/acme/v1/me',
          headers: { authorization: `Bearer ${annToken}`, 'content-type': 'application/json' },
          payload: raw,
        });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${raw}: ${res.statusCode}`);
      }
      assert.equal(({} as Record<string, unknown>).status, undefined, 'no prototype pollution');
      assert.deepEqual(await tenantState(t, acme.id), before);
    });

    test('mass assignment at registration: privileged fields are refused and no account is made', async () => {
      const before = await tenantState(t, acme.id);
      for (const extra of [
        { roles: ['admin'] },
        { status: 'active' },
        { email_verified: true },
        { tenant_id: acme.id },
        { id: acme.adminId },
        { password_hash: 'x' },
      ]) {
        const res = await call(t, 'POST', '/t/acme/v1/auth/register', {
          payload: { email: 'mass@acme.test', password: PASSPHRASE, ...extra },
        });
        problemOf(res, 422, 'IAM_ERR_VALIDATION');
      }
      assert.deepEqual(await tenantState(t, acme.id), before);
    });

    test('a role manager cannot hand out a role with permissions they do not hold', async () => {
      const manager = await holderOf('role-manager', [
        'role:read',
        'role:update',
        'role:create',
        'user:read',
      ]);
      const before = await tenantState(t, acme.id);
      problemOf(
        await call(t, 'PUT', `/t/acme/v1/users/${manager.id}/roles/${roleIds.admin}`, {
          token: manager.token,
        }),
        403,
        'IAM_ERR_FORBIDDEN',
      );
      assert.deepEqual(await tenantState(t, acme.id), before);
      assert.equal(await canListUsers(manager.token), false);
    });

    test('a role manager cannot widen a role they hold', {}, async () => {
      const manager = await holderOf('role-widener', ['role:read', 'role:update']);
      const res = await call(t, 'PATCH', `/t/acme/v1/roles/${manager.roleId}`, {
        token: manager.token,
        payload: { permissions: ['*'] },
      });
      problemOf(res, 403, 'IAM_ERR_FORBIDDEN');
      assert.equal(await canListUsers(manager.token), false);
    });

    test('a group manager cannot join a group that holds the admin role', {}, async () => {
      const group = await call(t, 'POST', '/t/acme/v1/groups', {
        token: acme.adminToken,
        payload: { name: 'Admins' },
      });
      const groupId = group.json().id as string;
      const given = await call(t, 'PUT', `/t/acme/v1/groups/${groupId}/roles/${roleIds.admin}`, {
        token: acme.adminToken,
      });
      assert.equal(given.statusCode, 204, given.body);
      const manager = await holderOf('group-manager', ['group:read', 'group:update']);
      const res = await call(t, 'PUT', `/t/acme/v1/groups/${groupId}/members/${manager.id}`, {
        token: manager.token,
      });
      problemOf(res, 403, 'IAM_ERR_FORBIDDEN');
      assert.equal(await canListUsers(manager.token), false);
    });

    test('a policy manager cannot attach an allow-everything policy to themselves', {}, async () => {
      const manager = await holderOf('policy-manager', ['policy:create', 'policy:update', 'policy:read']);
      const policy = await call(t, 'POST', '/t/acme/v1/policies', {
        token: manager.token,
        payload: {
          name: 'everything',
          document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } },
        },
      });
      assert.equal(policy.statusCode, 201, policy.body);
      const res = await call(
        t,
        'PUT',
        `/t/acme/v1/policies/${policy.json().id}/attachments/user/${manager.id}`,
        {
          token: manager.token,
        },
      );
      problemOf(res, 403, 'IAM_ERR_FORBIDDEN');
      assert.equal(await canListUsers(manager.token), false);
    });

    test('a client manager cannot mint a service client holding permissions they lack', {}, async () => {
      const manager = await holderOf('client-manager', ['client:create', 'client:read']);
      const created = await call(t, 'POST', '/t/acme/v1/clients', {
        token: manager.token,
        payload: { name: 'escalator', permissions: ['user:*', 'role:*'] },
      });
      if (created.statusCode === 201) {
        const { client_id: id, client_secret: secret } = created.json() as Record<string, string>;
        const tokenRes = await t.app.inject({
          method: 'POST',
          url: '/t/acme/oauth/token',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
          },
          payload: 'grant_type=client_credentials',
        });
        assert.equal(tokenRes.statusCode, 200, tokenRes.body);
        assert.equal(await canListUsers(tokenRes.json().access_token), false, 'the client lists users');
      }
      problemOf(created, 403, 'IAM_ERR_FORBIDDEN');
    });

    test("a user manager cannot take over an administrator's account by changing its email", {}, async () => {
      const manager = await holderOf('user-manager', ['user:read', 'user:update']);
      const res = await call(t, 'PATCH', `/t/acme/v1/users/${acme.adminId}`, {
        token: manager.token,
        payload: { email: 'attacker@evil.test', email_verified: true },
      });
      problemOf(res, 403, 'IAM_ERR_FORBIDDEN');
    });

    test('platform-only permissions mean nothing in a tenant role, even under "*"', async () => {
      // A tenant role may list them (roles.md: they count only for users of the platform tenant) ...
      const platformish = await holderOf('platformish', ['tenant:*', 'tenant:create', 'tenant:list']);
      const everything = await holderOf('everything', ['*']);
      // ... and neither they, "*" nor the tenant administrator reach a platform route.
      for (const token of [acme.adminToken, platformish.token, everything.token]) {
        problemOf(await call(t, 'GET', '/v1/tenants', { token }), 403, 'IAM_ERR_FORBIDDEN');
        problemOf(await call(t, 'GET', `/v1/tenants/${acme.slug}`, { token }), 403, 'IAM_ERR_FORBIDDEN');
        problemOf(
          await call(t, 'POST', '/v1/tenants', { token, payload: { slug: 'planted', display_name: 'x' } }),
          403,
          'IAM_ERR_FORBIDDEN',
        );
        problemOf(
          await call(t, 'PATCH', `/v1/tenants/${acme.slug}`, { token, payload: { status: 'suspended' } }),
          403,
          'IAM_ERR_FORBIDDEN',
        );
        problemOf(await call(t, 'GET', '/v1/dead-letters', { token }), 403, 'IAM_ERR_FORBIDDEN');
      }
      // A service client can never hold them.
      for (const permissions of [['tenant:create'], ['tenant:*'], ['*']]) {
        problemOf(
          await call(t, 'POST', '/t/acme/v1/clients', {
            token: acme.adminToken,
            payload: { name: 'p', permissions },
          }),
          422,
          'IAM_ERR_VALIDATION',
        );
      }
    });
  });
}
