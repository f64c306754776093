import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_POLICIES_PER_TARGET } from '../../src/policies/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';
import {
  authzInvalidations,
  authzSnapshot,
  type Caller,
  caller,
  eventsOf,
  insertGroup,
  statement,
} from './authz-support.ts';

for (const variant of VARIANTS) {
  describe(`policy attachments (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    let call: Caller;
    let count = 0;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
      call = caller(t, acme);
    });
    after(() => t.close());

    const policy = async (as: Caller = call) => {
      const res = await as('POST', '/policies', {
        name: `p-${++count}`,
        document: statement('Allow', 'a:b'),
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const role = async (as: Caller = call) => {
      const res = await as('POST', '/roles', { name: `r-${++count}`, permissions: [] });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const attachments = async (tenantId: string, policyId: string) =>
      t.database.withTenant(tenantId, (trx) =>
        trx
          .selectFrom('policy_attachments')
          .select(['target_type', 'target_id'])
          .where('tenant_id', '=', tenantId)
          .where('policy_id', '=', policyId)
          .orderBy('target_type')
          .execute()
          .then((rows) => rows.map((row) => ({ ...row }))),
      );

    test('a policy attaches to a role, a group and a user, idempotently, and detaches', async () => {
      const id = await policy();
      const user = await createUser(t, acme.id);
      const group = await insertGroup(t, acme.id, 'Attach-group');
      const roleId = await role();
      const invalidations = (await authzInvalidations(t, acme.id)).length;

      for (const [type, target] of [
        ['role', roleId],
        ['group', group],
        ['user', user.id],
      ]) {
        assert.equal((await call('PUT', `/policies/${id}/attachments/${type}/${target}`)).statusCode, 204);
      }
      assert.deepEqual(await attachments(acme.id, id), [
        { target_type: 'group', target_id: group },
        { target_type: 'role', target_id: roleId },
        { target_type: 'user', target_id: user.id },
      ]);
      assert.deepEqual((await eventsOf(t, acme.id, 'policy.attached')).at(-1), {
        tenant_id: acme.id,
        policy_id: id,
        target_type: 'user',
        target_id: user.id,
        actor_id: acme.adminId,
      });
      // A role's holders and a group's members may be many; a user is one subject.
      assert.deepEqual((await authzInvalidations(t, acme.id)).slice(invalidations), ['*', '*', user.id]);

      const unchanged = await authzSnapshot(t, acme.id);
      assert.equal(
        (await call('PUT', `/policies/${id}/attachments/user/${user.id.toUpperCase()}`)).statusCode,
        204,
      );
      assert.deepEqual(await authzSnapshot(t, acme.id), unchanged, 'attaching again writes nothing');

      assert.equal((await call('DELETE', `/policies/${id}/attachments/group/${group}`)).statusCode, 204);
      assert.equal((await eventsOf(t, acme.id, 'policy.detached')).at(-1)?.target_id, group);
      assert.equal((await attachments(acme.id, id)).length, 2);
      const detached = await authzSnapshot(t, acme.id);
      const again = problemOf(
        await call('DELETE', `/policies/${id}/attachments/group/${group}`),
        404,
        'IAM_ERR_POLICY_NOT_FOUND',
      );
      assert.match(String(again.detail), /not attached to this group/);
      assert.deepEqual(await authzSnapshot(t, acme.id), detached);
    });

    test('targets and policies must exist in the tenant; everything else is a 404 that changes nothing', async () => {
      const id = await policy();
      const user = await createUser(t, acme.id);
      const foreignPolicy = await policy(caller(t, globex));
      const foreignRole = await role(caller(t, globex));
      const foreignUser = await createUser(t, globex.id);
      const foreignGroup = await insertGroup(t, globex.id, 'Foreign-group');
      const unknown = '01900000-0000-7000-8000-000000000000';
      const before = await authzSnapshot(t, acme.id);

      for (const method of ['PUT', 'DELETE'] as const) {
        const at = (type: string, target: string, policyId = id) =>
          call(method, `/policies/${policyId}/attachments/${type}/${target}`);
        for (const target of [foreignRole, unknown, 'nope'])
          problemOf(await at('role', target), 404, 'IAM_ERR_ROLE_NOT_FOUND');
        for (const target of [foreignGroup, unknown, 'nope'])
          problemOf(await at('group', target), 404, 'IAM_ERR_GROUP_NOT_FOUND');
        for (const target of [foreignUser.id, unknown, 'nope'])
          problemOf(await at('user', target), 404, 'IAM_ERR_USER_NOT_FOUND');
        for (const policyId of [foreignPolicy, unknown, 'nope'])
          problemOf(await at('user', user.id, policyId), 404, 'IAM_ERR_POLICY_NOT_FOUND');
        const badType = problemOf(await at('team', user.id), 422, 'IAM_ERR_VALIDATION');
        assert.deepEqual(
          (badType.errors as { pointer: string; in: string }[]).map((e) => [e.pointer, e.in]),
          [['/target_type', 'path']],
        );
      }
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
      // A user that was deleted is no target either.
      const gone = await createUser(t, acme.id);
      assert.equal((await call('DELETE', `/users/${gone.id}`)).statusCode, 204);
      const afterDelete = await authzSnapshot(t, acme.id);
      problemOf(
        await call('PUT', `/policies/${id}/attachments/user/${gone.id}`),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
      assert.deepEqual(await authzSnapshot(t, acme.id), afterDelete);
    });

    test(`a target holds at most ${MAX_POLICIES_PER_TARGET} policies`, async () => {
      const user = await createUser(t, acme.id);
      const ids: string[] = [];
      for (let i = 0; i <= MAX_POLICIES_PER_TARGET; i++) ids.push(await policy());
      for (const id of ids.slice(0, MAX_POLICIES_PER_TARGET))
        assert.equal((await call('PUT', `/policies/${id}/attachments/user/${user.id}`)).statusCode, 204);
      const before = await authzSnapshot(t, acme.id);
      const refused = problemOf(
        await call('PUT', `/policies/${ids.at(-1)}/attachments/user/${user.id}`),
        422,
        'IAM_ERR_POLICY_LIMIT',
      );
      assert.match(String(refused.detail), /at most 20/);
      // At the cap, attaching one that is attached already still succeeds without a change.
      assert.equal((await call('PUT', `/policies/${ids[0]}/attachments/user/${user.id}`)).statusCode, 204);
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
      // Another target has room of its own.
      const other = await createUser(t, acme.id);
      assert.equal(
        (await call('PUT', `/policies/${ids.at(-1)}/attachments/user/${other.id}`)).statusCode,
        204,
      );
    });
    test('lists where a policy is attached, with the targets’ names, a page at a time', async () => {
      const id = await policy();
      const user = await createUser(t, acme.id);
      const group = await insertGroup(t, acme.id, 'Listed-group');
      const roleId = await role();
      for (const [type, target] of [
        ['user', user.id],
        ['role', roleId],
        ['group', group],
      ]) {
        assert.equal((await call('PUT', `/policies/${id}/attachments/${type}/${target}`)).statusCode, 204);
      }
      const first = await call('GET', `/policies/${id}/attachments?limit=2`);
      assert.equal(first.statusCode, 200, first.body);
      const page1 = first.json() as { items: Record<string, unknown>[]; next_cursor: string };
      assert.deepEqual(
        page1.items.map((a) => [a.target_type, a.target_id, a.target_name]),
        [
          ['group', group, 'Listed-group'],
          ['role', roleId, (await call('GET', `/roles/${roleId}`)).json().name],
        ],
      );
      assert.match(String(first.headers.link), /rel="next"/);
      const second = (
        await call('GET', `/policies/${id}/attachments?limit=2&cursor=${page1.next_cursor}`)
      ).json();
      assert.deepEqual(
        second.items.map((a: Record<string, unknown>) => [a.target_type, a.target_id, a.target_name]),
        [['user', user.id, user.email]],
      );
      assert.equal(second.next_cursor, null);
    });

    test('listing attachments: unknown or foreign policies are 404, bad cursors 400, bad limits 422', async () => {
      const foreign = await policy(caller(t, globex));
      problemOf(await call('GET', `/policies/${foreign}/attachments`), 404, 'IAM_ERR_POLICY_NOT_FOUND');
      problemOf(await call('GET', '/policies/not-a-uuid/attachments'), 404, 'IAM_ERR_POLICY_NOT_FOUND');
      const id = await policy();
      problemOf(await call('GET', `/policies/${id}/attachments?cursor=abc`), 400, 'IAM_ERR_INVALID_CURSOR');
      problemOf(await call('GET', `/policies/${id}/attachments?limit=0`), 422, 'IAM_ERR_VALIDATION');
      problemOf(await call('GET', `/policies/${id}/attachments?extra=1`), 422, 'IAM_ERR_VALIDATION');
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const res = await t.app.inject({
        method: 'POST',
        url: `/t/${acme.slug}/v1/auth/login`,
        payload: { email: user.email, password: user.password },
      });
      const plain = caller(t, acme, res.json().access_token);
      problemOf(await plain('GET', `/policies/${id}/attachments`), 403, 'IAM_ERR_FORBIDDEN');
    });
  });
}
