import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PERMISSIONS, SYSTEM_ROLES } from '../../src/roles/index.ts';
import {
  authzInvalidations,
  authzSnapshot,
  type Caller,
  caller,
  eventsOf,
} from '../policies/authz-support.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`roles (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    let call: Caller;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
      call = caller(t, acme);
    });
    after(() => t.close());

    const roleNamed = async (name: string) => {
      const res = await call('GET', '/roles?limit=200');
      return (res.json().items as { id: string; name: string }[]).find((r) => r.name === name);
    };

    test('any signed-in user reads the permission catalogue, with descriptions', async () => {
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', user.email, user.password);
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/permissions',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 200);
      const list = res.json().permissions as {
        permission: string;
        description: string;
        platform_only: boolean;
      }[];
      assert.deepEqual(
        list.map((p) => p.permission),
        Object.keys(PERMISSIONS),
      );
      assert.deepEqual(
        list.find((p) => p.permission === 'user:read'),
        {
          permission: 'user:read',
          description: PERMISSIONS['user:read'],
          platform_only: false,
        },
      );
      assert.equal(list.find((p) => p.permission === 'tenant:create')?.platform_only, true);
      problemOf(
        await t.app.inject({ method: 'GET', url: '/v1/permissions' }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
    });

    test('system roles are listed and readable, with permissions from code, and cannot change', async () => {
      const before = await authzSnapshot(t, acme.id);
      for (const name of ['admin', 'user', 'auditor'] as const) {
        const role = await roleNamed(name);
        assert.ok(role, name);
        const read = await call('GET', `/roles/${role.id}`);
        assert.equal(read.statusCode, 200);
        assert.equal(read.json().system, true);
        assert.deepEqual(read.json().permissions, SYSTEM_ROLES[name].permissions);
        const patched = await call('PATCH', `/roles/${role.id}`, { description: 'mine now' });
        assert.match(String(problemOf(patched, 409, 'IAM_ERR_ROLE_PROTECTED').detail), new RegExp(name));
        problemOf(await call('DELETE', `/roles/${role.id}`), 409, 'IAM_ERR_ROLE_PROTECTED');
      }
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
    });

    test('an administrator creates, reads, changes and deletes a custom role', async () => {
      const created = await call('POST', '/roles', {
        name: 'support',
        description: 'First line',
        permissions: ['user:read', 'group:*'],
      });
      assert.equal(created.statusCode, 201);
      const role = created.json();
      assert.equal(created.headers.location, `/t/acme/v1/roles/${role.id}`);
      assert.deepEqual(
        {
          name: role.name,
          description: role.description,
          permissions: role.permissions,
          system: role.system,
        },
        { name: 'support', description: 'First line', permissions: ['user:read', 'group:*'], system: false },
      );
      assert.deepEqual((await call('GET', `/roles/${role.id}`)).json(), role);
      assert.deepEqual((await eventsOf(t, acme.id, 'role.created')).at(-1), {
        tenant_id: acme.id,
        role_id: role.id,
        name: 'support',
        actor_id: acme.adminId,
      });
      const invalidations = (await authzInvalidations(t, acme.id)).length;

      const changed = await call('PATCH', `/roles/${role.id}`, { name: 'helpdesk', permissions: ['*'] });
      assert.equal(changed.statusCode, 200);
      assert.deepEqual([changed.json().name, changed.json().permissions], ['helpdesk', ['*']]);
      assert.equal(changed.json().description, 'First line');
      assert.equal((await eventsOf(t, acme.id, 'role.updated')).at(-1)?.name, 'helpdesk');
      // Holders may be many: the whole tenant's cached decisions are dropped.
      assert.deepEqual((await authzInvalidations(t, acme.id)).slice(invalidations), ['*']);

      const unchanged = await authzSnapshot(t, acme.id);
      const same = await call('PATCH', `/roles/${role.id}`, { permissions: ['*'], name: 'helpdesk' });
      assert.equal(same.statusCode, 200);
      assert.deepEqual(await authzSnapshot(t, acme.id), unchanged, 'a change to nothing writes nothing');

      assert.equal((await call('DELETE', `/roles/${role.id}`)).statusCode, 204);
      problemOf(await call('GET', `/roles/${role.id}`), 404, 'IAM_ERR_ROLE_NOT_FOUND');
      problemOf(await call('DELETE', `/roles/${role.id}`), 404, 'IAM_ERR_ROLE_NOT_FOUND');
      assert.equal((await eventsOf(t, acme.id, 'role.deleted')).at(-1)?.role_id, role.id);
      assert.deepEqual((await authzInvalidations(t, acme.id)).slice(invalidations), ['*', '*']);
    });

    test('role names are unique in the tenant, system names included, but not across tenants', async () => {
      assert.equal((await call('POST', '/roles', { name: 'billing', permissions: [] })).statusCode, 201);
      const before = await authzSnapshot(t, acme.id);
      problemOf(
        await call('POST', '/roles', { name: 'billing', permissions: [] }),
        409,
        'IAM_ERR_ROLE_NAME_TAKEN',
      );
      problemOf(
        await call('POST', '/roles', { name: 'admin', permissions: ['*'] }),
        409,
        'IAM_ERR_ROLE_NAME_TAKEN',
      );
      const other = await call('POST', '/roles', { name: 'billing-2', permissions: [] });
      problemOf(
        await call('PATCH', `/roles/${other.json().id}`, { name: 'auditor' }),
        409,
        'IAM_ERR_ROLE_NAME_TAKEN',
      );
      assert.deepEqual((await authzSnapshot(t, acme.id)).roles, (before.roles as number) + 1);
      const elsewhere = await caller(t, globex)('POST', '/roles', { name: 'billing', permissions: [] });
      assert.equal(elsewhere.statusCode, 201);
    });

    test('the list is keyset-paginated, system roles first, with a Link header', async () => {
      for (const name of ['page-a', 'page-b', 'page-c'])
        assert.equal((await call('POST', '/roles', { name, permissions: ['self:read'] })).statusCode, 201);
      const seen: string[] = [];
      let url = '/roles?limit=2';
      for (let pages = 0; pages < 50; pages++) {
        const res = await call('GET', url);
        assert.equal(res.statusCode, 200);
        const page = res.json();
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((r: { name: string }) => r.name));
        if (page.next_cursor === null) {
          assert.equal(res.headers.link, undefined);
          break;
        }
        assert.match(String(res.headers.link), /rel="next"/);
        url = `/roles?limit=2&cursor=${page.next_cursor}`;
      }
      // Ids are UUIDv7: the system roles, created with the tenant, come first.
      assert.deepEqual(new Set(seen.slice(0, 3)), new Set(['admin', 'user', 'auditor']));
      assert.deepEqual(seen.slice(-3), ['page-a', 'page-b', 'page-c']);
      assert.equal(new Set(seen).size, seen.length, 'no role twice');
      assert.equal(seen.length, (await authzSnapshot(t, acme.id)).roles, 'every role once');
      problemOf(await call('GET', '/roles?cursor=not-a-cursor'), 400, 'IAM_ERR_INVALID_CURSOR');
      const forged = Buffer.from(JSON.stringify(['not-a-uuid'])).toString('base64url');
      problemOf(await call('GET', `/roles?cursor=${forged}`), 400, 'IAM_ERR_INVALID_CURSOR');
      problemOf(await call('GET', '/roles?limit=0'), 422, 'IAM_ERR_VALIDATION');
      problemOf(await call('GET', '/roles?sort=name'), 422, 'IAM_ERR_VALIDATION');
    });

    test('bad input is refused with a problem body and changes nothing', async () => {
      const target = (await call('POST', '/roles', { name: 'target', permissions: ['user:read'] })).json();
      const foreign = (
        await caller(t, globex)('POST', '/roles', { name: 'foreign', permissions: [] })
      ).json();
      const before = await authzSnapshot(t, acme.id);

      const unknown = problemOf(
        await call('POST', '/roles', {
          name: 'bad',
          permissions: ['user:read', 'user:fly', 'group:*', 'nope:*', 'user:re*', '*'],
        }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(
        (unknown.errors as { pointer: string }[]).map((e) => e.pointer),
        ['/permissions/1', '/permissions/3', '/permissions/4'],
      );
      const patchUnknown = problemOf(
        await call('PATCH', `/roles/${target.id}`, { permissions: ['role:*', 'policy:approve'] }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(patchUnknown.errors, [
        {
          pointer: '/permissions/1',
          message: '"policy:approve" is not a catalogued permission, a resource:* wildcard or *',
          in: 'body',
        },
      ]);
      const pointerOf = (body: Record<string, unknown>) => (body.errors as { pointer: string }[])[0]?.pointer;
      const cases: [unknown, string][] = [
        [{ name: 'Upper', permissions: [] }, '/name'],
        [{ name: 'has space', permissions: [] }, '/name'],
        [{ name: '', permissions: [] }, '/name'],
        [{ name: 'x'.repeat(65), permissions: [] }, '/name'],
        [{ name: 'ok', permissions: 'user:read' }, '/permissions'],
        [{ name: 'ok', permissions: ['user:read', 'user:read'] }, '/permissions'],
        [{ name: 'ok', permissions: [42] }, '/permissions/0'],
        [{ name: 'ok' }, '/permissions'],
        [{ name: 'ok', permissions: [], admin: true }, '/admin'],
        [{ name: 'ok', permissions: [], description: 7 }, '/description'],
      ];
      for (const [payload, pointer] of cases) {
        const body = problemOf(await call('POST', '/roles', payload), 422, 'IAM_ERR_VALIDATION');
        assert.equal(pointerOf(body), pointer, JSON.stringify(payload));
      }
      problemOf(await call('PATCH', `/roles/${target.id}`, {}), 422, 'IAM_ERR_VALIDATION');
      problemOf(await call('POST', '/roles', '{"name": "ok", '), 400, 'IAM_ERR_MALFORMED_REQUEST');
      problemOf(
        await call('POST', '/roles', 'name=ok', { 'content-type': 'application/x-www-form-urlencoded' }),
        415,
        'IAM_ERR_UNSUPPORTED_MEDIA_TYPE',
      );
      // Another tenant's role, an unknown id and a malformed id all look the same.
      for (const id of [foreign.id, '01900000-0000-7000-8000-000000000000', 'not-an-id']) {
        problemOf(await call('GET', `/roles/${id}`), 404, 'IAM_ERR_ROLE_NOT_FOUND');
        problemOf(await call('PATCH', `/roles/${id}`, { description: 'x' }), 404, 'IAM_ERR_ROLE_NOT_FOUND');
        problemOf(await call('DELETE', `/roles/${id}`), 404, 'IAM_ERR_ROLE_NOT_FOUND');
      }
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
    });

    test('each route needs its permission', async () => {
      const user = await createUser(t, acme.id, { roles: ['auditor'] });
      const auditor = caller(t, acme, await login(t.app, 'acme', user.email, user.password));
      assert.equal((await auditor('GET', '/roles')).statusCode, 200);
      const admin = await roleNamed('admin');
      assert.equal((await auditor('GET', `/roles/${admin?.id}`)).statusCode, 200);
      const before = await authzSnapshot(t, acme.id);
      problemOf(
        await auditor('POST', '/roles', { name: 'sneaky', permissions: ['*'] }),
        403,
        'IAM_ERR_FORBIDDEN',
      );
      problemOf(await auditor('PATCH', `/roles/${admin?.id}`, { name: 'x' }), 403, 'IAM_ERR_FORBIDDEN');
      problemOf(await auditor('DELETE', `/roles/${admin?.id}`), 403, 'IAM_ERR_FORBIDDEN');
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
      // A token of another tenant is worthless here.
      problemOf(await caller(t, acme, globex.adminToken)('GET', '/roles'), 401, 'IAM_ERR_UNAUTHENTICATED');
    });
  });
}
