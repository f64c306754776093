import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uuidv7 } from '../../src/db/index.ts';
import { encodeCursor } from '../../src/http/pagination.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, snapshot, type TenantFixture } from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`event log API (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme-log');
      globex = await createTenantWithAdmin(t, 'globex-log');
      for (const name of ['a', 'b', 'c']) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/t/${acme.slug}/v1/users`,
          headers: { authorization: `Bearer ${acme.adminToken}` },
          payload: { email: `${name}@acme.test` },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      await t.app.inject({
        method: 'POST',
        url: `/t/${globex.slug}/v1/groups`,
        headers: { authorization: `Bearer ${globex.adminToken}` },
        payload: { name: 'globex only' },
      });
    });
    after(() => t.close());

    const list = (query: string, tenant = acme, token = tenant.adminToken) =>
      t.app.inject({
        method: 'GET',
        url: `/t/${tenant.slug}/v1/events${query}`,
        headers: { authorization: `Bearer ${token}` },
      });

    test('lists the tenant’s events newest first, without sealed link tokens', async () => {
      const res = await list('?type=user.invited');
      assert.equal(res.statusCode, 200, res.body);
      const { items } = res.json() as {
        items: { id: string; type: string; payload: Record<string, unknown> }[];
      };
      assert.deepEqual(
        items.map((e) => e.payload.email),
        ['c@acme.test', 'b@acme.test', 'a@acme.test'],
      );
      for (const event of items) {
        assert.equal(event.type, 'user.invited');
        assert.ok(event.payload.link_id, 'the link id is shown');
        assert.equal(event.payload.link_token_sealed, undefined);
      }
    });

    test('a family filter matches every type of it, and pages follow the cursor', async () => {
      const first = await list('?type=user.*&limit=2');
      const page1 = first.json() as { items: { id: string; type: string }[]; next_cursor: string };
      assert.equal(page1.items.length, 2);
      assert.ok(page1.items.every((e) => e.type.startsWith('user.')));
      assert.match(String(first.headers.link), /rel="next"/);
      const second = await list(`?type=user.*&limit=2&cursor=${page1.next_cursor}`);
      const page2 = second.json() as { items: { id: string }[] };
      assert.ok(page2.items.length > 0);
      assert.ok(page2.items[0]!.id < page1.items[1]!.id, 'the next page holds older events');
    });

    test('never shows another tenant’s events', async () => {
      const mine = (await list('?limit=200')).json() as { items: { payload: Record<string, unknown> }[] };
      assert.ok(mine.items.length > 0);
      assert.ok(mine.items.every((e) => e.payload.tenant_id === acme.id));
      const theirs = (await list('?limit=200', globex)).json() as { items: { type: string }[] };
      assert.ok(theirs.items.some((e) => e.type === 'group.created'));
      assert.ok(!theirs.items.some((e) => e.type === 'user.invited'));
      // Acme's administrator token is worthless at Globex.
      problemOf(await list('', globex, acme.adminToken), 401, 'IAM_ERR_UNAUTHENTICATED');
    });

    test('bad input is refused and changes nothing', async () => {
      const before = await snapshot(t, acme.id);
      problemOf(await list('?type=user.%25'), 422, 'IAM_ERR_VALIDATION');
      problemOf(await list('?type=UPPER'), 422, 'IAM_ERR_VALIDATION');
      problemOf(await list('?limit=0'), 422, 'IAM_ERR_VALIDATION');
      problemOf(await list('?limit=abc'), 422, 'IAM_ERR_VALIDATION');
      problemOf(await list('?colour=red'), 422, 'IAM_ERR_VALIDATION');
      problemOf(await list('?cursor=not-a-cursor'), 400, 'IAM_ERR_INVALID_CURSOR');
      problemOf(
        await list(`?cursor=${encodeCursor(['2026-01-01', uuidv7()])}`),
        400,
        'IAM_ERR_INVALID_CURSOR',
      );
      problemOf(await list(`?cursor=${encodeCursor(['nope'])}`), 400, 'IAM_ERR_INVALID_CURSOR');
      assert.deepEqual(await snapshot(t, acme.id), before);
    });

    test('needs event:read: a plain user and an anonymous caller are refused', async () => {
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, acme.slug, user.email, user.password);
      problemOf(await list('', acme, token), 403, 'IAM_ERR_FORBIDDEN');
      const anonymous = await t.app.inject({ method: 'GET', url: `/t/${acme.slug}/v1/events` });
      problemOf(anonymous, 401, 'IAM_ERR_UNAUTHENTICATED');
    });

    test('an auditor may read the log', async () => {
      const auditor = await createUser(t, acme.id, { roles: ['auditor'] });
      const token = await login(t.app, acme.slug, auditor.email, auditor.password);
      assert.equal((await list('', acme, token)).statusCode, 200);
    });
  });
}
