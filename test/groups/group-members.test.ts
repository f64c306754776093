import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fromJson, uuidv7 } from '../../src/db/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Outcome {
  user_id: string;
  result: string;
}

for (const variant of VARIANTS) {
  describe(`group members (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
    });
    after(() => t.close());

    const call = (tenant: TenantFixture, method: Method, path: string, payload?: unknown) =>
      t.app.inject({
        method,
        url: `/t/${tenant.slug}/v1${path}`,
        headers: { authorization: `Bearer ${tenant.adminToken}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const newGroup = async (tenant: TenantFixture, name = `group-${randomUUID()}`): Promise<string> => {
      const res = await call(tenant, 'POST', '/groups', { name });
      assert.equal(res.statusCode, 201);
      return res.json().id;
    };
    const newUsers = async (tenant: TenantFixture, n: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push((await createUser(t, tenant.id)).id);
      return ids;
    };
    const change = (groupId: string, body: unknown) => call(acme, 'POST', `/groups/${groupId}/members`, body);
    const memberIds = async (tenant: TenantFixture, groupId: string): Promise<string[]> =>
      t.database.withTenant(tenant.id, async (trx) =>
        (
          await trx
            .selectFrom('group_members')
            .select('user_id')
            .where('tenant_id', '=', tenant.id)
            .where('group_id', '=', groupId)
            .orderBy('user_id')
            .execute()
        ).map((r) => r.user_id),
      );
    const membershipEvents = async (groupId: string) =>
      (
        await t.database.db
          .selectFrom('outbox')
          .select('payload')
          .where('type', '=', 'group.membership_changed')
          .orderBy('id')
          .execute()
      )
        .map((r) =>
          fromJson<{ group_id: string; added: string[]; removed: string[]; actor_id: string }>(r.payload),
        )
        .filter((p) => p.group_id === groupId);
    /** Rows per table, read in one tenant transaction (SQLite has one connection; RLS on PostgreSQL). */
    const rowCounts = async (tenant: TenantFixture) =>
      t.database.withTenant(tenant.id, async (trx) => {
        const count = async (table: 'groups' | 'group_members' | 'outbox') =>
          Number(
            (
              await trx
                .selectFrom(table)
                .select((e) => e.fn.countAll().as('n'))
                .where('tenant_id', '=', tenant.id)
                .executeTakeFirstOrThrow()
            ).n,
          );
        return {
          groups: await count('groups'),
          members: await count('group_members'),
          outbox: await count('outbox'),
        };
      });
    const softDelete = (tenant: TenantFixture, userId: string) =>
      t.database.withTenant(tenant.id, (trx) =>
        trx
          .updateTable('users')
          .set({ deleted_at: new Date().toISOString() })
          .where('tenant_id', '=', tenant.id)
          .where('id', '=', userId)
          .execute(),
      );

    test('members are added and removed one at a time, idempotently', async () => {
      const group = await newGroup(acme);
      const [u1, u2] = (await newUsers(acme, 2)) as [string, string];
      for (let i = 0; i < 2; i++) {
        assert.equal((await call(acme, 'PUT', `/groups/${group}/members/${u1}`)).statusCode, 204);
      }
      assert.equal((await call(acme, 'PUT', `/groups/${group}/members/${u2.toUpperCase()}`)).statusCode, 204);
      assert.deepEqual(await memberIds(acme, group), [u1, u2].sort());
      for (let i = 0; i < 2; i++) {
        assert.equal((await call(acme, 'DELETE', `/groups/${group}/members/${u1}`)).statusCode, 204);
      }
      assert.deepEqual(await memberIds(acme, group), [u2]);
      // Only calls that changed something emitted an event.
      assert.deepEqual(
        (await membershipEvents(group)).map((e) => [e.added, e.removed, e.actor_id]),
        [
          [[u1], [], acme.adminId],
          [[u2], [], acme.adminId],
          [[], [u1], acme.adminId],
        ],
      );

      const before = await rowCounts(acme);
      const [stranger] = await newUsers(globex, 1);
      const [gone] = await newUsers(acme, 1);
      await softDelete(acme, gone as string);
      for (const userId of [randomUUID(), stranger, gone, 'not-a-uuid']) {
        for (const method of ['PUT', 'DELETE'] as const) {
          problemOf(
            await call(acme, method, `/groups/${group}/members/${userId}`),
            404,
            'IAM_ERR_USER_NOT_FOUND',
          );
        }
      }
      const theirGroup = await newGroup(globex);
      for (const groupId of [randomUUID(), theirGroup, 'nope']) {
        for (const userId of [u1, 'not-a-uuid']) {
          problemOf(
            await call(acme, 'PUT', `/groups/${groupId}/members/${userId}`),
            404,
            'IAM_ERR_GROUP_NOT_FOUND',
          );
          problemOf(
            await call(acme, 'DELETE', `/groups/${groupId}/members/${userId}`),
            404,
            'IAM_ERR_GROUP_NOT_FOUND',
          );
        }
      }
      assert.deepEqual(await rowCounts(acme), before);
      assert.deepEqual(await memberIds(globex, theirGroup), []);
    });

    test('a bulk change reports one result per user and emits one event', async () => {
      const group = await newGroup(acme);
      const [u1, u2, u3, u4] = (await newUsers(acme, 4)) as [string, string, string, string];
      const [stranger] = (await newUsers(globex, 1)) as [string];
      const unknown = uuidv7();

      const first = await change(group, { add: [u1, u2, unknown, stranger, u1, u2.toUpperCase()] });
      assert.equal(first.statusCode, 200);
      assert.deepEqual(first.json().results, [
        { user_id: u1, result: 'added' },
        { user_id: u2, result: 'added' },
        { user_id: unknown, result: 'not_found' },
        { user_id: stranger, result: 'not_found' },
      ]);

      const second = await change(group, { add: [u1, u3], remove: [u2, u4, unknown, stranger] });
      assert.deepEqual(second.json().results, [
        { user_id: u1, result: 'already_member' },
        { user_id: u3, result: 'added' },
        { user_id: u2, result: 'removed' },
        { user_id: u4, result: 'not_member' },
        { user_id: unknown, result: 'not_found' },
        { user_id: stranger, result: 'not_found' },
      ]);
      assert.deepEqual(await memberIds(acme, group), [u1, u3].sort());

      // Repeating a request changes nothing and emits nothing.
      const again = await change(group, { add: [u1, u3], remove: [u2, u4, unknown, stranger] });
      assert.deepEqual(
        again.json().results.map((r: Outcome) => r.result),
        ['already_member', 'already_member', 'not_member', 'not_member', 'not_found', 'not_found'],
      );
      assert.deepEqual(
        (await membershipEvents(group)).map((e) => [e.added, e.removed]),
        [
          [[u1, u2], []],
          [[u3], [u2]],
        ],
      );
      // The other tenant's user was never touched.
      const strangerGroups = await call(globex, 'GET', `/users/${stranger}/groups`);
      assert.deepEqual(strangerGroups.json().items, []);
    });

    test('concurrent changes to one group each report exactly what they did', async () => {
      const group = await newGroup(acme);
      const users = await newUsers(acme, 6);
      const responses = await Promise.all(Array.from({ length: 5 }, () => change(group, { add: users })));
      const added = responses.flatMap((res) => {
        assert.equal(res.statusCode, 200);
        return res
          .json()
          .results.filter((r: Outcome) => r.result === 'added')
          .map((r: Outcome) => r.user_id);
      });
      assert.deepEqual([...added].sort(), [...users].sort(), 'each user added by exactly one request');
      const events = await membershipEvents(group);
      assert.deepEqual(events.flatMap((e) => e.added).sort(), [...users].sort());

      // Concurrent creations of one name: exactly one wins.
      const creations = await Promise.all(
        Array.from({ length: 4 }, () => call(acme, 'POST', '/groups', { name: 'Race' })),
      );
      assert.deepEqual(creations.map((res) => res.statusCode).sort(), [201, 409, 409, 409]);
    });

    test('a bulk change of another tenant or of a missing group is not found and changes nothing', async () => {
      const theirGroup = await newGroup(globex);
      const [mine] = (await newUsers(acme, 1)) as [string];
      const before = [await rowCounts(acme), await rowCounts(globex)];
      for (const groupId of [theirGroup, randomUUID(), 'x']) {
        problemOf(await change(groupId, { add: [mine] }), 404, 'IAM_ERR_GROUP_NOT_FOUND');
      }
      assert.deepEqual([await rowCounts(acme), await rowCounts(globex)], before);
    });

    test('invalid bulk requests, up to 1,001 ids, are refused and change nothing', async () => {
      const group = await newGroup(acme);
      const [u1] = (await newUsers(acme, 1)) as [string];
      await change(group, { add: [u1] });
      const before = await rowCounts(acme);
      const ids = (n: number) => Array.from({ length: n }, () => uuidv7());

      const tooMany = problemOf(await change(group, { add: ids(1001) }), 422, 'IAM_ERR_VALIDATION');
      assert.equal((tooMany.errors as { pointer: string }[])[0]?.pointer, '/add');
      problemOf(await change(group, { add: ids(600), remove: ids(401) }), 422, 'IAM_ERR_VALIDATION');
      const both = problemOf(
        await change(group, { add: [u1], remove: [u1.toUpperCase()] }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(both.errors, [{ pointer: '/remove/0', message: 'is also listed in add', in: 'body' }]);
      const cases: unknown[] = [
        {},
        { add: [] },
        { add: [], remove: [] },
        { add: ['not-a-uuid'] },
        { add: [42] },
        { add: u1 },
        { remove: [null] },
        { add: [u1], keep: [u1] },
        [u1],
      ];
      for (const body of cases) problemOf(await change(group, body), 422, 'IAM_ERR_VALIDATION');
      const malformed = await t.app.inject({
        method: 'POST',
        url: `/t/acme/v1/groups/${group}/members`,
        headers: { authorization: `Bearer ${acme.adminToken}`, 'content-type': 'application/json' },
        payload: `{"remove": ["${u1}"`,
      });
      problemOf(malformed, 400, 'IAM_ERR_MALFORMED_REQUEST');

      // Exactly 1,000 ids is accepted.
      const accepted = await change(group, { add: ids(999), remove: [u1] });
      assert.equal(accepted.statusCode, 200);
      assert.equal(accepted.json().results.length, 1000);
      assert.equal((await rowCounts(acme)).members, before.members - 1);
      assert.equal((await rowCounts(acme)).outbox, before.outbox + 1);
    });

    test('deleting a group removes its memberships, not its users', async () => {
      const group = await newGroup(acme);
      const keep = await newGroup(acme);
      const users = await newUsers(acme, 3);
      await change(group, { add: users });
      await change(keep, { add: users });
      const before = await rowCounts(acme);
      assert.equal((await call(acme, 'DELETE', `/groups/${group}`)).statusCode, 204);
      assert.deepEqual(await memberIds(acme, group), []);
      assert.deepEqual(await memberIds(acme, keep), [...users].sort());
      const afterDelete = await rowCounts(acme);
      assert.equal(afterDelete.members, before.members - 3);
      assert.equal(afterDelete.groups, before.groups - 1);
      const groups = await call(acme, 'GET', `/users/${users[0]}/groups`);
      assert.deepEqual(
        groups.json().items.map((g: { id: string }) => g.id),
        [keep],
      );
      problemOf(await call(acme, 'GET', `/groups/${group}/members`), 404, 'IAM_ERR_GROUP_NOT_FOUND');
    });

    test("members and a user's groups page with Link headers", async () => {
      const group = await newGroup(acme);
      const users = await newUsers(acme, 5);
      await change(group, { add: users });
      const [gone] = await newUsers(acme, 1);
      await change(group, { add: [gone] });
      await softDelete(acme, gone as string);

      const follow = async (tenant: TenantFixture, first: string) => {
        const items: { id: string; email?: string; name?: string | null }[] = [];
        let url = first;
        let pages = 0;
        while (url && pages < 10) {
          pages++;
          const res = await t.app.inject({
            method: 'GET',
            url,
            headers: { authorization: `Bearer ${tenant.adminToken}` },
          });
          assert.equal(res.statusCode, 200);
          const body = res.json();
          items.push(...body.items);
          const link = res.headers.link as string | undefined;
          assert.equal(Boolean(link), body.next_cursor !== null);
          url = link ? link.slice(1, link.indexOf('>')) : '';
        }
        return { items, pages };
      };

      const members = await follow(acme, `/t/acme/v1/groups/${group}/members?limit=2`);
      assert.equal(members.pages, 3);
      assert.deepEqual(
        members.items.map((m) => m.id),
        [...users].sort(),
        'live members once each, by id; the deleted user is not listed',
      );
      const first = members.items[0] as { id: string; email: string; name: string | null };
      assert.deepEqual(Object.keys(first).sort(), ['email', 'id', 'name']);
      assert.match(first.email, /@example\.test$/);

      const groups = [group, await newGroup(acme), await newGroup(acme)];
      for (const g of groups.slice(1)) await call(acme, 'PUT', `/groups/${g}/members/${users[0]}`);
      const ofUser = await follow(acme, `/t/acme/v1/users/${users[0]}/groups?limit=2`);
      assert.equal(ofUser.pages, 2);
      // By id: UUIDv7 follows creation time, with random order inside one millisecond.
      assert.deepEqual(
        ofUser.items.map((g) => g.id),
        [...groups].sort(),
      );

      const [stranger] = await newUsers(globex, 1);
      for (const userId of [randomUUID(), stranger, gone, 'bad-id']) {
        problemOf(await call(acme, 'GET', `/users/${userId}/groups`), 404, 'IAM_ERR_USER_NOT_FOUND');
      }
      const theirGroup = await newGroup(globex);
      problemOf(await call(acme, 'GET', `/groups/${theirGroup}/members`), 404, 'IAM_ERR_GROUP_NOT_FOUND');
      problemOf(
        await call(acme, 'GET', `/groups/${group}/members?cursor=abc`),
        400,
        'IAM_ERR_INVALID_CURSOR',
      );
      problemOf(await call(acme, 'GET', `/groups/${group}/members?limit=500`), 422, 'IAM_ERR_VALIDATION');
    });
  });
}
