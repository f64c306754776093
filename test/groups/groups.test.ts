import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`groups (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
    });
    after(() => t.close());

    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const call = (
      tenant: TenantFixture,
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      path: string,
      payload?: unknown,
    ) =>
      t.app.inject({
        method,
        url: `/t/${tenant.slug}/v1${path}`,
        headers: bearer(tenant.adminToken),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const create = (tenant: TenantFixture, payload: unknown) => call(tenant, 'POST', '/groups', payload);
    const eventCount = async (tenant: TenantFixture, type: string) =>
      Number(
        (
          await t.database.db
            .selectFrom('outbox')
            .select((e) => e.fn.countAll().as('n'))
            .where('tenant_id', '=', tenant.id)
            .where('type', '=', type)
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** Rows per table, read inside the tenant so row-level security shows them on PostgreSQL. */
    const rowCounts = async (tenant: TenantFixture) =>
      t.database.withTenant(tenant.id, async (trx) => {
        const count = async (table: 'groups' | 'group_members') =>
          Number(
            (
              await trx
                .selectFrom(table)
                .select((e) => e.fn.countAll().as('n'))
                .where('tenant_id', '=', tenant.id)
                .executeTakeFirstOrThrow()
            ).n,
          );
        // Inside the same transaction: SQLite has one connection, which the transaction holds.
        const outbox = await trx
          .selectFrom('outbox')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        return {
          groups: await count('groups'),
          members: await count('group_members'),
          outbox: Number(outbox.n),
        };
      });

    test('an administrator creates, reads, changes and deletes a group', async () => {
      const res = await create(acme, { name: '  Engineering ', description: 'Builds things' });
      assert.equal(res.statusCode, 201);
      const group = res.json();
      assert.equal(res.headers.location, `/t/acme/v1/groups/${group.id}`);
      assert.equal(group.name, 'Engineering');
      assert.equal(group.description, 'Builds things');
      assert.match(group.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(group.created_at, group.updated_at);
      assert.ok(!Number.isNaN(Date.parse(group.created_at)));

      const got = await call(acme, 'GET', `/groups/${group.id}`);
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), group);
      // Ids are case-insensitive on input.
      assert.deepEqual((await call(acme, 'GET', `/groups/${group.id.toUpperCase()}`)).json(), group);

      const renamed = await call(acme, 'PATCH', `/groups/${group.id}`, { name: 'Platform Engineering' });
      assert.equal(renamed.statusCode, 200);
      assert.equal(renamed.json().name, 'Platform Engineering');
      assert.equal(renamed.json().description, 'Builds things');
      const described = await call(acme, 'PATCH', `/groups/${group.id}`, { description: '' });
      assert.equal(described.json().description, '');
      assert.equal(described.json().name, 'Platform Engineering');
      // Sending the current values writes nothing and emits nothing.
      const same = await call(acme, 'PATCH', `/groups/${group.id}`, { name: 'Platform Engineering' });
      assert.deepEqual(same.json(), described.json());

      const noDescription = (await create(acme, { name: 'Sales' })).json();
      assert.equal(noDescription.description, '');

      assert.equal((await call(acme, 'DELETE', `/groups/${group.id}`)).statusCode, 204);
      problemOf(await call(acme, 'GET', `/groups/${group.id}`), 404, 'IAM_ERR_GROUP_NOT_FOUND');
      problemOf(await call(acme, 'DELETE', `/groups/${group.id}`), 404, 'IAM_ERR_GROUP_NOT_FOUND');
      problemOf(
        await call(acme, 'PATCH', `/groups/${group.id}`, { name: 'Back' }),
        404,
        'IAM_ERR_GROUP_NOT_FOUND',
      );

      assert.equal(await eventCount(acme, 'group.created'), 2);
      assert.equal(await eventCount(acme, 'group.updated'), 2);
      assert.equal(await eventCount(acme, 'group.deleted'), 1);
      const created = await t.database.db
        .selectFrom('outbox')
        .select('payload')
        .where('tenant_id', '=', acme.id)
        .where('type', '=', 'group.created')
        .orderBy('id')
        .executeTakeFirstOrThrow();
      const payload = typeof created.payload === 'string' ? JSON.parse(created.payload) : created.payload;
      assert.deepEqual(payload, {
        tenant_id: acme.id,
        group_id: group.id,
        name: 'Engineering',
        actor_id: acme.adminId,
      });
    });

    test('names are unique in a tenant, compared case-insensitively', async () => {
      const first = (await create(acme, { name: 'Support' })).json();
      for (const name of ['support', ' SUPPORT ', 'Support']) {
        problemOf(await create(acme, { name }), 409, 'IAM_ERR_GROUP_NAME_TAKEN');
      }
      // Composed and decomposed spellings of one name are the same name.
      assert.equal((await create(acme, { name: 'Caf\u00e9' })).statusCode, 201);
      problemOf(await create(acme, { name: 'CAFE\u0301' }), 409, 'IAM_ERR_GROUP_NAME_TAKEN');
      // Another tenant has names of its own.
      assert.equal((await create(globex, { name: 'Support' })).statusCode, 201);

      const second = (await create(acme, { name: 'Helpdesk' })).json();
      problemOf(
        await call(acme, 'PATCH', `/groups/${second.id}`, { name: 'SUPPORT' }),
        409,
        'IAM_ERR_GROUP_NAME_TAKEN',
      );
      const recased = await call(acme, 'PATCH', `/groups/${first.id}`, { name: 'SUPPORT' });
      assert.equal(recased.statusCode, 200);
      assert.equal(recased.json().name, 'SUPPORT');
      assert.equal((await call(acme, 'GET', `/groups/${second.id}`)).json().name, 'Helpdesk');
    });

    test('the list pages with a cursor and a Link header, and filters by name prefix', async () => {
      const names = ['Team-A', 'team-b', 'TEAM-C', 'Team-D', 'Team-E'];
      const created: { id: string; created_at: string }[] = [];
      for (const name of names) created.push((await create(globex, { name })).json());
      // Oldest first; groups created in the same millisecond follow their ids.
      const ids = created
        .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
        .map((g) => g.id);
      const seen: string[] = [];
      let url = '/t/globex/v1/groups?limit=2&name=team-';
      let pages = 0;
      while (url && pages < 10) {
        pages++;
        const res = await t.app.inject({ method: 'GET', url, headers: bearer(globex.adminToken) });
        assert.equal(res.statusCode, 200);
        const body = res.json();
        assert.ok(body.items.length <= 2);
        seen.push(...body.items.map((g: { id: string }) => g.id));
        const link = res.headers.link as string | undefined;
        if (body.next_cursor) {
          assert.match(String(link), /^<\/t\/globex\/v1\/groups\?.*>; rel="next"$/);
          url = String(link).slice(1, String(link).indexOf('>'));
        } else {
          assert.equal(link, undefined);
          url = '';
        }
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, ids, 'every group once, oldest first');

      const all = (await call(globex, 'GET', '/groups')).json();
      assert.ok(all.items.length >= names.length + 1);
      assert.equal(all.next_cursor, null);
      assert.deepEqual(
        (await call(globex, 'GET', '/groups?name=TEAM-C')).json().items.map((g: { name: string }) => g.name),
        ['TEAM-C'],
      );
      // `%` and `_` in a prefix are literal characters.
      await create(globex, { name: 'a_b' });
      await create(globex, { name: 'axb' });
      await create(globex, { name: '100% done' });
      const underscore = (await call(globex, 'GET', '/groups?name=a_')).json();
      assert.deepEqual(
        underscore.items.map((g: { name: string }) => g.name),
        ['a_b'],
      );
      assert.deepEqual(
        (await call(globex, 'GET', `/groups?name=${encodeURIComponent('100%')}`))
          .json()
          .items.map((g: { name: string }) => g.name),
        ['100% done'],
      );
      assert.deepEqual((await call(globex, 'GET', '/groups?name=zzz')).json(), {
        items: [],
        next_cursor: null,
      });
      // Another tenant's groups never appear.
      const acmeNames = (await call(acme, 'GET', '/groups?limit=200'))
        .json()
        .items.map((g: { name: string }) => g.name);
      assert.equal(acmeNames.includes('Team-A'), false);

      problemOf(await call(globex, 'GET', '/groups?cursor=garbage'), 400, 'IAM_ERR_INVALID_CURSOR');
      problemOf(await call(globex, 'GET', '/groups?limit=0'), 422, 'IAM_ERR_VALIDATION');
      problemOf(await call(globex, 'GET', '/groups?limit=201'), 422, 'IAM_ERR_VALIDATION');
      problemOf(await call(globex, 'GET', '/groups?color=red'), 422, 'IAM_ERR_VALIDATION');
    });

    test('a group of another tenant, or a malformed id, is not found', async () => {
      const theirs = (await create(globex, { name: 'Secret Club' })).json();
      const before = await rowCounts(globex);
      for (const path of [
        `/groups/${theirs.id}`,
        '/groups/not-a-uuid',
        '/groups/1',
        `/groups/${theirs.id}x`,
      ]) {
        problemOf(await call(acme, 'GET', path), 404, 'IAM_ERR_GROUP_NOT_FOUND');
        problemOf(await call(acme, 'PATCH', path, { name: 'Mine now' }), 404, 'IAM_ERR_GROUP_NOT_FOUND');
        problemOf(await call(acme, 'DELETE', path), 404, 'IAM_ERR_GROUP_NOT_FOUND');
      }
      assert.deepEqual(await rowCounts(globex), before);
      assert.equal((await call(globex, 'GET', `/groups/${theirs.id}`)).json().name, 'Secret Club');
      // A token of one tenant is worthless at another.
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: `/t/globex/v1/groups/${theirs.id}`,
          headers: bearer(acme.adminToken),
        }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
    });

    test('bad input is refused with a problem and changes nothing', async () => {
      const group = (await create(acme, { name: 'Stable' })).json();
      const before = await rowCounts(acme);
      const createCases: unknown[] = [
        {},
        { name: '' },
        { name: '   ' },
        { name: 42 },
        { name: null },
        { name: ['x'] },
        { name: 'x'.repeat(101) },
        { name: 'Fine', description: 'd'.repeat(1001) },
        { name: 'Fine', description: 7 },
        { name: 'Fine', id: '0190a5c0-0000-7000-8000-000000000000' },
        [],
      ];
      for (const payload of createCases) problemOf(await create(acme, payload), 422, 'IAM_ERR_VALIDATION');
      const unknown = problemOf(await create(acme, { name: 'Fine', owner: 'me' }), 422, 'IAM_ERR_VALIDATION');
      assert.deepEqual(unknown.errors, [{ pointer: '/owner', message: 'is not a known field', in: 'body' }]);
      const long = problemOf(await create(acme, { name: 'n'.repeat(101) }), 422, 'IAM_ERR_VALIDATION');
      assert.equal((long.errors as { pointer: string }[])[0]?.pointer, '/name');

      const patchCases: unknown[] = [
        {},
        { name: '' },
        { name: 'x'.repeat(101) },
        { description: 'd'.repeat(1001) },
        { extra: 1 },
      ];
      for (const payload of patchCases) {
        problemOf(await call(acme, 'PATCH', `/groups/${group.id}`, payload), 422, 'IAM_ERR_VALIDATION');
      }

      const raw = (method: 'POST' | 'PATCH', url: string, contentType: string, payload: string) =>
        t.app.inject({
          method,
          url,
          headers: { ...bearer(acme.adminToken), 'content-type': contentType },
          payload,
        });
      problemOf(
        await raw('POST', '/t/acme/v1/groups', 'application/json', '{"name": "x",'),
        400,
        'IAM_ERR_MALFORMED_REQUEST',
      );
      problemOf(
        await raw('PATCH', `/t/acme/v1/groups/${group.id}`, 'application/json', '{name: x}'),
        400,
        'IAM_ERR_MALFORMED_REQUEST',
      );
      problemOf(
        await raw('POST', '/t/acme/v1/groups', 'text/plain', 'name=x'),
        415,
        'IAM_ERR_UNSUPPORTED_MEDIA_TYPE',
      );
      problemOf(
        await create(acme, { name: 'Huge', description: 'x'.repeat(t.config.BODY_LIMIT_BYTES) }),
        413,
        'IAM_ERR_PAYLOAD_TOO_LARGE',
      );

      assert.deepEqual(await rowCounts(acme), before);
      assert.equal((await call(acme, 'GET', `/groups/${group.id}`)).json().name, 'Stable');
    });

    test('callers without group permissions are refused', async () => {
      const group = (await create(acme, { name: 'Guarded' })).json();
      const plain = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', plain.email, plain.password);
      const before = await rowCounts(acme);
      const attempts: [string, string, unknown?][] = [
        ['POST', '/groups', { name: 'Mine' }],
        ['GET', '/groups'],
        ['GET', `/groups/${group.id}`],
        ['PATCH', `/groups/${group.id}`, { name: 'Taken over' }],
        ['DELETE', `/groups/${group.id}`],
        ['GET', `/groups/${group.id}/members`],
        ['POST', `/groups/${group.id}/members`, { add: [plain.id] }],
        ['PUT', `/groups/${group.id}/members/${plain.id}`],
        ['DELETE', `/groups/${group.id}/members/${plain.id}`],
        ['GET', `/users/${plain.id}/groups`],
      ];
      for (const [method, path, payload] of attempts) {
        const request = {
          method: method as 'GET',
          url: `/t/acme/v1${path}`,
          ...(payload === undefined ? {} : { payload: payload as object }),
        };
        problemOf(await t.app.inject({ ...request, headers: bearer(token) }), 403, 'IAM_ERR_FORBIDDEN');
        problemOf(await t.app.inject(request), 401, 'IAM_ERR_UNAUTHENTICATED');
      }
      assert.deepEqual(await rowCounts(acme), before);

      // An auditor reads groups but cannot change them.
      const auditor = await createUser(t, acme.id, { roles: ['auditor'] });
      const auditorToken = await login(t.app, 'acme', auditor.email, auditor.password);
      const read = await t.app.inject({
        method: 'GET',
        url: `/t/acme/v1/groups/${group.id}`,
        headers: bearer(auditorToken),
      });
      assert.equal(read.statusCode, 200);
      problemOf(
        await t.app.inject({
          method: 'POST',
          url: '/t/acme/v1/groups',
          headers: bearer(auditorToken),
          payload: { name: 'Audit' },
        }),
        403,
        'IAM_ERR_FORBIDDEN',
      );
    });
  });
}
