import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM_ROLES } from '../../src/roles/index.ts';
import {
  authzInvalidations,
  authzSnapshot,
  type Caller,
  caller,
  eventsOf,
  insertGroup,
  statement,
} from '../policies/authz-support.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

interface Source {
  role: string;
  granted_as: string;
  group: { id: string; name: string } | null;
}

for (const variant of VARIANTS) {
  describe(`role assignments (${variant})`, () => {
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

    const createRole = async (name: string, permissions: string[]) => {
      const res = await call('POST', '/roles', { name, permissions });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const systemRole = async (name: string) =>
      ((await call('GET', '/roles')).json().items as { id: string; name: string }[]).find(
        (r) => r.name === name,
      )!.id;

    test('a role given to a user is held directly; giving and taking are idempotent', async () => {
      const user = await createUser(t, acme.id);
      const role = await createRole('editor', ['user:update']);
      const invalidations = (await authzInvalidations(t, acme.id)).length;

      assert.equal((await call('PUT', `/users/${user.id}/roles/${role}`)).statusCode, 204);
      assert.deepEqual((await eventsOf(t, acme.id, 'role.assigned')).at(-1), {
        tenant_id: acme.id,
        role_id: role,
        name: 'editor',
        actor_id: acme.adminId,
        target_type: 'user',
        target_id: user.id,
      });
      // One user is affected: only their cached decisions are dropped.
      assert.deepEqual((await authzInvalidations(t, acme.id)).slice(invalidations), [user.id]);
      const roles = (await call('GET', `/users/${user.id}/roles`)).json().roles;
      assert.deepEqual(roles, [{ id: role, name: 'editor', system: false, direct: true, groups: [] }]);

      const unchanged = await authzSnapshot(t, acme.id);
      // Ids are accepted in any case and stored lowercase.
      assert.equal((await call('PUT', `/users/${user.id.toUpperCase()}/roles/${role}`)).statusCode, 204);
      assert.deepEqual(await authzSnapshot(t, acme.id), unchanged, 'giving a held role writes nothing');

      assert.equal((await call('DELETE', `/users/${user.id}/roles/${role}`)).statusCode, 204);
      assert.equal((await eventsOf(t, acme.id, 'role.unassigned')).at(-1)?.target_id, user.id);
      assert.deepEqual((await call('GET', `/users/${user.id}/roles`)).json().roles, []);
      const taken = await authzSnapshot(t, acme.id);
      assert.equal((await call('DELETE', `/users/${user.id}/roles/${role}`)).statusCode, 204);
      assert.deepEqual(await authzSnapshot(t, acme.id), taken, 'taking a role not held writes nothing');
    });

    test('a role given to a group is held by its members, marked with the group', async () => {
      const user = await createUser(t, acme.id);
      const group = await insertGroup(t, acme.id, 'Support', [user.id]);
      const role = await createRole('triage', ['group:read']);
      const both = await createRole('both-ways', ['self:read']);
      const invalidations = (await authzInvalidations(t, acme.id)).length;

      assert.equal((await call('PUT', `/groups/${group}/roles/${role}`)).statusCode, 204);
      assert.equal((await call('PUT', `/groups/${group}/roles/${both}`)).statusCode, 204);
      assert.equal((await call('PUT', `/users/${user.id}/roles/${both}`)).statusCode, 204);
      const event = (await eventsOf(t, acme.id, 'role.assigned')).find((e) => e.target_id === group);
      assert.deepEqual([event?.target_type, event?.role_id], ['group', role]);
      // A group's members may be many: the tenant's cached decisions are dropped.
      assert.deepEqual((await authzInvalidations(t, acme.id)).slice(invalidations), ['*', '*', user.id]);

      const held = (await call('GET', `/users/${user.id}/roles`)).json().roles;
      const support = { id: group, name: 'Support' };
      assert.deepEqual(
        held.sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
        [
          { id: both, name: 'both-ways', system: false, direct: true, groups: [support] },
          { id: role, name: 'triage', system: false, direct: false, groups: [support] },
        ],
      );
      const ofGroup = (await call('GET', `/groups/${group}/roles`)).json().roles;
      assert.deepEqual(ofGroup.map((r: { id: string }) => r.id).sort(), [role, both].sort());

      assert.equal((await call('DELETE', `/groups/${group}/roles/${role}`)).statusCode, 204);
      assert.deepEqual(
        (await call('GET', `/users/${user.id}/roles`)).json().roles.map((r: { name: string }) => r.name),
        ['both-ways'],
      );
    });

    test('effective permissions expand wildcards and name every source', async () => {
      const user = await createUser(t, acme.id);
      const ops = await insertGroup(t, acme.id, 'Ops', [user.id]);
      const direct = await createRole('people', ['user:read', 'group:*']);
      const viaGroup = await createRole('readers', ['user:read']);
      assert.equal((await call('PUT', `/users/${user.id}/roles/${direct}`)).statusCode, 204);
      assert.equal((await call('PUT', `/groups/${ops}/roles/${viaGroup}`)).statusCode, 204);
      assert.equal(
        (await call('PUT', `/groups/${ops}/roles/${await systemRole('auditor')}`)).statusCode,
        204,
      );

      const res = await call('GET', `/users/${user.id}/permissions`);
      assert.equal(res.statusCode, 200);
      const list = res.json().permissions as { permission: string; description: string; sources: Source[] }[];
      const of = (permission: string) =>
        list
          .find((p) => p.permission === permission)
          ?.sources.map(({ role, granted_as, group }) => ({ role, granted_as, group: group?.name ?? null }));
      assert.deepEqual(
        of('user:read')?.sort((a, b) => a.role.localeCompare(b.role)),
        [
          { role: 'auditor', granted_as: 'user:read', group: 'Ops' },
          { role: 'people', granted_as: 'user:read', group: null },
          { role: 'readers', granted_as: 'user:read', group: 'Ops' },
        ],
      );
      assert.deepEqual(of('group:delete'), [{ role: 'people', granted_as: 'group:*', group: null }]);
      assert.equal(list.find((p) => p.permission === 'group:delete')?.description, 'Delete groups.');
      assert.equal(of('user:create'), undefined, 'no role grants user:create');
      // Exactly the union of what the roles grant: the auditor's list (from code) plus group:*.
      const expected = new Set([...SYSTEM_ROLES.auditor.permissions, 'user:read']);
      for (const p of ['group:create', 'group:read', 'group:list', 'group:update', 'group:delete'])
        expected.add(p);
      assert.deepEqual(new Set(list.map((p) => p.permission)), expected);
    });

    test('unknown users, groups and roles are 404s, other tenants’ ids included, and nothing changes', async () => {
      const user = await createUser(t, acme.id);
      const group = await insertGroup(t, acme.id, 'Real', [user.id]);
      const role = await createRole('real', ['self:read']);
      const foreignUser = await createUser(t, globex.id);
      const foreignGroup = await insertGroup(t, globex.id, 'Foreign');
      const foreignRole = (
        await caller(t, globex)('POST', '/roles', { name: 'foreign', permissions: [] })
      ).json().id;
      const deleted = await createUser(t, acme.id);
      assert.equal((await call('DELETE', `/users/${deleted.id}`)).statusCode, 204);
      const unknown = '01900000-0000-7000-8000-000000000000';
      const before = await authzSnapshot(t, acme.id);

      for (const method of ['PUT', 'DELETE'] as const) {
        for (const id of [foreignUser.id, deleted.id, unknown, 'nope']) {
          problemOf(await call(method, `/users/${id}/roles/${role}`), 404, 'IAM_ERR_USER_NOT_FOUND');
        }
        for (const id of [foreignGroup, unknown, 'nope']) {
          problemOf(await call(method, `/groups/${id}/roles/${role}`), 404, 'IAM_ERR_GROUP_NOT_FOUND');
        }
        for (const id of [foreignRole, unknown, 'nope']) {
          problemOf(await call(method, `/users/${user.id}/roles/${id}`), 404, 'IAM_ERR_ROLE_NOT_FOUND');
          problemOf(await call(method, `/groups/${group}/roles/${id}`), 404, 'IAM_ERR_ROLE_NOT_FOUND');
        }
      }
      for (const path of ['roles', 'permissions']) {
        problemOf(await call('GET', `/users/${foreignUser.id}/${path}`), 404, 'IAM_ERR_USER_NOT_FOUND');
        problemOf(await call('GET', `/users/nope/${path}`), 404, 'IAM_ERR_USER_NOT_FOUND');
      }
      problemOf(await call('GET', `/groups/${foreignGroup}/roles`), 404, 'IAM_ERR_GROUP_NOT_FOUND');
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
    });

    test('deleting a role takes it from its holders and drops the attachments naming it', async () => {
      const user = await createUser(t, acme.id);
      const group = await insertGroup(t, acme.id, 'Doomed holders', [user.id]);
      const role = await createRole('doomed', ['user:list']);
      assert.equal((await call('PUT', `/users/${user.id}/roles/${role}`)).statusCode, 204);
      assert.equal((await call('PUT', `/groups/${group}/roles/${role}`)).statusCode, 204);
      const policy = (
        await call('POST', '/policies', { name: 'doomed-extra', document: statement('Allow', 'x:y') })
      ).json().id;
      assert.equal((await call('PUT', `/policies/${policy}/attachments/role/${role}`)).statusCode, 204);
      const before = await authzSnapshot(t, acme.id);

      assert.equal((await call('DELETE', `/roles/${role}`)).statusCode, 204);
      const after = await authzSnapshot(t, acme.id);
      assert.deepEqual(
        [after.roles, after.user_roles, after.group_roles, after.policy_attachments, after.policies],
        [
          (before.roles as number) - 1,
          (before.user_roles as number) - 1,
          (before.group_roles as number) - 1,
          (before.policy_attachments as number) - 1,
          before.policies,
        ],
      );
      assert.deepEqual((await call('GET', `/users/${user.id}/roles`)).json().roles, []);
    });
  });
}
