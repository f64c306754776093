import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Database, toJson, uuidv7 } from '../../src/db/index.ts';
import { createInvalidationFeed, type InvalidationFeed, recordInvalidation } from '../../src/events/index.ts';
import { type Authorizer, createAuthorizer } from '../../src/policies/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { type Caller, caller, insertGroup, statement } from './authz-support.ts';

for (const variant of VARIANTS) {
  describe(`authorizer (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let call: Caller;
    let feed: InvalidationFeed;
    let authorizer: Authorizer;
    let count = 0;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      call = caller(t, acme);
      // A feed and an authorizer of this test's own: it polls by hand, so every step is explicit.
      feed = createInvalidationFeed({ database: t.database, intervalMs: 60_000, now: () => new Date() });
      authorizer = createAuthorizer({ database: t.database, feed });
      await feed.poll();
    });
    after(() => t.close());

    const role = async (permissions: string[]) => {
      const res = await call('POST', '/roles', { name: `role-${++count}`, permissions });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; name: string };
    };
    const policy = async (document: unknown) => {
      const res = await call('POST', '/policies', { name: `policy-${++count}`, document });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; version: number };
    };
    const put = async (path: string) => assert.equal((await call('PUT', path)).statusCode, 204, path);
    const ask = (userId: string, action: string, resource = 'user/1', context?: Record<string, unknown>) =>
      authorizer.decide(acme.id, userId, { action, resource, ...(context ? { context } : {}) });

    test('roles held through a group decide, and a Deny attached to the group overrides them', async () => {
      const user = await createUser(t, acme.id);
      const group = await insertGroup(t, acme.id, 'Readers', [user.id]);
      const readers = await role(['user:read', 'group:*']);
      await put(`/groups/${group}/roles/${readers.id}`);

      assert.deepEqual(await ask(user.id, 'user:read', 'user/42'), {
        decision: 'allow',
        reason: 'allow',
        matched: [{ policy: `role:${readers.name}`, statement: '0', effect: 'Allow' }],
      });
      assert.equal(
        (await ask(user.id, 'GROUP:Delete')).decision,
        'allow',
        'actions match case-insensitively',
      );
      assert.deepEqual(await ask(user.id, 'user:create'), {
        decision: 'deny',
        reason: 'implicitDeny',
        matched: [],
      });

      const guard = await policy(statement('Deny', 'user:read', 'user/secret-*', { Sid: 'NoSecrets' }));
      await put(`/policies/${guard.id}/attachments/group/${group}`);
      await feed.poll();
      assert.deepEqual(await ask(user.id, 'user:read', 'user/secret-1'), {
        decision: 'deny',
        reason: 'explicitDeny',
        matched: [{ policy: `policy:${guard.id}@1`, statement: 'NoSecrets', effect: 'Deny' }],
      });
      assert.equal((await ask(user.id, 'user:read', 'user/public')).decision, 'allow');
      assert.equal(
        await authorizer.isAllowed(acme.id, user.id, { action: 'user:read', resource: 'user/secret-2' }),
        false,
      );
      assert.equal(
        await authorizer.isAllowed(acme.id, user.id, { action: 'user:read', resource: 'user/public' }),
        true,
      );
    });

    test('policies attached to the user and to its roles count too', async () => {
      const user = await createUser(t, acme.id);
      const held = await role([]);
      await put(`/users/${user.id}/roles/${held.id}`);
      const viaRole = await policy(statement('Allow', 'invoice:read', 'invoice/*'));
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a policy variable (policy-spec §4)
      const direct = await policy(statement('Allow', 'invoice:approve', 'invoice/${subject.id}/*'));
      await put(`/policies/${viaRole.id}/attachments/role/${held.id}`);
      await put(`/policies/${direct.id}/attachments/user/${user.id}`);
      await feed.poll();
      assert.equal((await ask(user.id, 'invoice:read', 'invoice/9')).decision, 'allow');
      assert.equal((await ask(user.id, 'invoice:approve', `invoice/${user.id}/7`)).decision, 'allow');
      assert.equal((await ask(user.id, 'invoice:approve', 'invoice/someone-else/7')).decision, 'deny');
    });

    test('the next decision after a role change reflects it; the cache is used until then', async () => {
      const user = await createUser(t, acme.id);
      const editors = await role(['user:read']);
      await put(`/users/${user.id}/roles/${editors.id}`);
      await feed.poll();
      assert.equal((await ask(user.id, 'user:update')).decision, 'deny');

      // A change written behind the service's back records no invalidation: the cached set stays.
      await t.database.withTenant(acme.id, (trx) =>
        trx
          .updateTable('roles')
          .set({ permissions: toJson(['user:read', 'user:update']) })
          .where('tenant_id', '=', acme.id)
          .where('id', '=', editors.id)
          .execute(),
      );
      await feed.poll();
      assert.equal((await ask(user.id, 'user:update')).decision, 'deny', 'served from the cache');

      // The same change through the API commits an `authz` invalidation with it.
      const res = await call('PATCH', `/roles/${editors.id}`, {
        permissions: ['user:read', 'user:update', 'user:list'],
      });
      assert.equal(res.statusCode, 200);
      await feed.poll();
      assert.equal((await ask(user.id, 'user:update')).decision, 'allow');
      assert.equal((await ask(user.id, 'user:list')).decision, 'allow');

      assert.equal((await call('DELETE', `/users/${user.id}/roles/${editors.id}`)).statusCode, 204);
      await feed.poll();
      assert.equal((await ask(user.id, 'user:read')).decision, 'deny', 'unassigned');
    });

    test('user and tenant invalidations drop cached subjects too', async () => {
      const user = await createUser(t, acme.id);
      assert.equal((await ask(user.id, 'self:read')).decision, 'deny');
      await t.database.withTenant(acme.id, async (trx) => {
        const role = await trx
          .selectFrom('roles')
          .select('id')
          .where('tenant_id', '=', acme.id)
          .where('name', '=', 'user')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('user_roles')
          .values({
            tenant_id: acme.id,
            user_id: user.id,
            role_id: role.id,
            created_at: new Date().toISOString(),
          })
          .execute();
      });
      assert.equal((await ask(user.id, 'self:read')).decision, 'deny', 'still cached');
      const now = new Date();
      const expiresAt = new Date(now.getTime() + 60_000).toISOString();
      await t.database.transaction((trx) =>
        recordInvalidation(
          trx,
          { tenantId: acme.id, kind: 'user', subject: user.id, notBefore: null, expiresAt },
          now,
        ),
      );
      await feed.poll();
      assert.equal((await ask(user.id, 'self:read')).decision, 'allow');

      await t.database.withTenant(acme.id, (trx) =>
        trx
          .deleteFrom('user_roles')
          .where('tenant_id', '=', acme.id)
          .where('user_id', '=', user.id)
          .execute(),
      );
      assert.equal((await ask(user.id, 'self:read')).decision, 'allow', 'still cached');
      await t.database.transaction((trx) =>
        recordInvalidation(
          trx,
          { tenantId: acme.id, kind: 'tenant', subject: acme.id, notBefore: null, expiresAt },
          now,
        ),
      );
      await feed.poll();
      assert.equal((await ask(user.id, 'self:read')).decision, 'deny');
    });

    test('the service fills the subject keys; callers cannot spoof them', async () => {
      const user = await createUser(t, acme.id);
      const group = await insertGroup(t, acme.id, 'Night shift', [user.id]);
      const doc = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'doc:read',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a policy variable (policy-spec §4)
            Resource: 'tenant/${subject.tenant}/doc/${subject.id}/*',
            Condition: {
              'ForAnyValue:StringEquals': { 'subject.groups': ['Night shift'] },
              StringEquals: { 'subject.email': 'night@acme.test' },
              BoolIfExists: { 'subject.mfa': 'true' },
            },
          },
        ],
      };
      const grant = await policy(doc);
      await put(`/policies/${grant.id}/attachments/group/${group}`);
      await feed.poll();
      const own = `tenant/${acme.id}/doc/${user.id}/1`;
      const context = { subject: { email: 'night@acme.test', mfa: true } };
      assert.equal((await ask(user.id, 'doc:read', own, context)).decision, 'allow');
      assert.equal((await ask(user.id, 'doc:read', own, { subject: { mfa: true } })).decision, 'deny');
      assert.equal(
        (await ask(user.id, 'doc:read', own, { subject: { ...context.subject, mfa: false } })).decision,
        'deny',
      );
      const other = `tenant/${acme.id}/doc/someone/1`;
      const spoofed = { subject: { ...context.subject, id: 'someone', groups: ['Night shift'] } };
      assert.equal((await ask(user.id, 'doc:read', other, spoofed)).decision, 'deny');
      assert.equal(
        (await ask(user.id, 'doc:read', other, { 'Subject.ID': 'someone', ...context })).decision,
        'deny',
      );
      const subject = await authorizer.subject(acme.id, user.id);
      assert.deepEqual(
        [subject?.groups, subject?.groupIds, subject?.active],
        [['Night shift'], [group], true],
      );
    });

    test('unknown, deleted and deactivated users are denied everything', async () => {
      const admin = await ask(acme.adminId, 'user:create');
      assert.equal(admin.decision, 'allow');
      assert.deepEqual(await ask('01900000-0000-7000-8000-000000000000', 'user:read'), {
        decision: 'deny',
        reason: 'implicitDeny',
        matched: [],
        error: 'unknown subject',
      });
      assert.equal((await ask('not-a-uuid', 'user:read')).error, 'unknown subject');
      assert.equal(await authorizer.subject(acme.id, 'not-a-uuid'), undefined);
      const other = await createTenantWithAdmin(t, `other-${variant}`);
      assert.equal(
        (await authorizer.decide(other.id, acme.adminId, { action: 'self:read', resource: '' })).decision,
        'deny',
      );

      const user = await createUser(t, acme.id, { roles: ['admin'] });
      assert.equal((await ask(user.id, 'user:read')).decision, 'allow');
      assert.equal((await call('POST', `/users/${user.id}/deactivate`, { reason: 'left' })).statusCode, 200);
      const now = new Date();
      await t.database.transaction((trx) =>
        recordInvalidation(
          trx,
          {
            tenantId: acme.id,
            kind: 'user',
            subject: user.id,
            notBefore: null,
            expiresAt: new Date(now.getTime() + 60_000).toISOString(),
          },
          now,
        ),
      );
      await feed.poll();
      assert.deepEqual(await ask(user.id, 'user:read'), {
        decision: 'deny',
        reason: 'implicitDeny',
        matched: [],
      });
    });

    test('system roles take their permissions from code, not from the stored column', async () => {
      await t.database.withTenant(acme.id, (trx) =>
        trx
          .updateTable('roles')
          .set({ permissions: toJson([]) })
          .where('tenant_id', '=', acme.id)
          .where('name', '=', 'admin')
          .execute(),
      );
      const fresh = createAuthorizer({ database: t.database, feed: { subscribe: () => {} } });
      assert.equal(
        (await fresh.decide(acme.id, acme.adminId, { action: 'policy:delete', resource: '*' })).decision,
        'allow',
      );
    });

    test('failures deny: a stored document that does not compile, a broken context, a database outage', async () => {
      const user = await createUser(t, acme.id, { roles: ['admin'] });
      const id = uuidv7();
      const now = new Date().toISOString();
      const broken = statement('Deny', 'user:delete', '*', { Condition: { StringEqualz: { a: 'b' } } });
      await t.database.withTenant(acme.id, async (trx) => {
        await trx
          .insertInto('policies')
          .values({
            tenant_id: acme.id,
            id,
            name: 'broken',
            description: '',
            version: 1,
            document: toJson(broken),
            created_at: now,
            updated_at: now,
          })
          .execute();
        await trx
          .insertInto('policy_versions')
          .values({
            tenant_id: acme.id,
            policy_id: id,
            version: 1,
            document: toJson(broken),
            created_at: now,
            created_by: null,
          })
          .execute();
        await trx
          .insertInto('policy_attachments')
          .values({
            tenant_id: acme.id,
            policy_id: id,
            target_type: 'user',
            target_id: user.id,
            created_at: now,
          })
          .execute();
      });
      const denied = await ask(user.id, 'user:read');
      assert.deepEqual([denied.decision, denied.reason], ['deny', 'implicitDeny']);
      assert.match(String(denied.error), /StringEqualz/);
      assert.equal(
        await authorizer.isAllowed(acme.id, user.id, { action: 'user:read', resource: 'x' }),
        false,
      );

      const admin = await ask(acme.adminId, 'user:read', 'x', { resource: { tags: [{ nested: true }] } });
      assert.deepEqual([admin.decision, typeof admin.error], ['deny', 'string']);
      assert.equal(
        await authorizer.isAllowed(acme.id, acme.adminId, {
          action: 'user:read',
          resource: 'x',
          context: { a: () => 1 },
        }),
        false,
      );

      const down = {
        withTenant: () => Promise.reject(new Error('connection refused')),
      } as unknown as Database;
      const offline = createAuthorizer({ database: down, feed: { subscribe: () => {} } });
      assert.deepEqual(await offline.decide(acme.id, acme.adminId, { action: 'user:read', resource: 'x' }), {
        decision: 'deny',
        reason: 'implicitDeny',
        matched: [],
        error: 'the subject could not be loaded',
      });
      assert.equal(
        await offline.isAllowed(acme.id, acme.adminId, { action: 'user:read', resource: 'x' }),
        false,
      );
      await assert.rejects(offline.subject(acme.id, acme.adminId), /connection refused/);
    });
  });
}
