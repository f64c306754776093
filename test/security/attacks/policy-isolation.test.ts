// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policies use ${...} variable syntax in plain strings.
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

// Policy documents written to reach beyond their tenant (docs/policies.md: "A request is only ever
// evaluated against its own tenant's policies"; subject keys are set by Gatehouse, overriding the caller).

const doc = (statement: object) => ({ Version: '2012-10-17', Statement: statement });

for (const variant of VARIANTS) {
  describe(`attack: policies reaching outside their tenant (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    let mallory: UserFixture;
    let malloryToken: string;
    let globexUser: UserFixture;

    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
      mallory = await createUser(t, acme.id, { roles: ['user'] });
      globexUser = await createUser(t, globex.id, { roles: ['user'] });
      malloryToken = await login(t.app, 'acme', mallory.email, mallory.password);
    });
    after(() => t.close());

    /** Creates a policy in acme (as its administrator) and attaches it to a user. */
    async function attach(name: string, document: object, userId = mallory.id) {
      const created = await call(t, 'POST', '/t/acme/v1/policies', {
        token: acme.adminToken,
        payload: { name, document },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const res = await call(t, 'PUT', `/t/acme/v1/policies/${id}/attachments/user/${userId}`, {
        token: acme.adminToken,
      });
      assert.equal(res.statusCode, 204, res.body);
      return id;
    }
    const check = (payload: object) =>
      call(t, 'POST', '/t/acme/v1/authz/check', { token: acme.adminToken, payload });

    test('an allow-everything policy, or one naming the other tenant, opens nothing outside acme', async () => {
      await attach(
        'everything-everywhere',
        doc([
          { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Sid: 'Globex',
            Effect: 'Allow',
            Action: '*',
            Resource: [`user/${globexUser.id}`, `${globex.id}/*`],
          },
          {
            Sid: 'OtherTenant',
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { StringEquals: { 'resource.tenant': globex.id } },
          },
        ]),
      );
      // Within acme the policy works (a sanity check that it is attached and effective).
      assert.equal((await call(t, 'GET', '/t/acme/v1/users', { token: malloryToken })).statusCode, 200);
      const before = await tenantState(t, globex.id);
      // Another tenant's objects under acme's routes: not found.
      problemOf(
        await call(t, 'GET', `/t/acme/v1/users/${globexUser.id}`, { token: malloryToken }),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
      problemOf(
        await call(t, 'DELETE', `/t/acme/v1/users/${globexUser.id}`, { token: malloryToken }),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
      // The other tenant's routes: the token is worthless there.
      for (const url of [
        '/t/globex/v1/users',
        `/t/globex/v1/users/${globexUser.id}`,
        '/t/globex/v1/policies',
      ]) {
        problemOf(await call(t, 'GET', url, { token: malloryToken }), 401, 'IAM_ERR_UNAUTHENTICATED');
      }
      // Platform routes: platform permissions count for platform users only.
      problemOf(await call(t, 'GET', '/v1/tenants', { token: malloryToken }), 403, 'IAM_ERR_FORBIDDEN');
      problemOf(
        await call(t, 'PATCH', '/v1/tenants/globex', {
          token: malloryToken,
          payload: { status: 'suspended' },
        }),
        403,
        'IAM_ERR_FORBIDDEN',
      );
      assert.deepEqual(await tenantState(t, globex.id), before);
    });

    test('subject keys cannot be supplied by the caller: ${subject.tenant}, subject.roles and subject.id tricks', async () => {
      const victim = await createUser(t, acme.id, { roles: ['user'] });
      await attach(
        'tenant-and-role-tricks',
        doc([
          {
            Sid: 'OnlyInGlobex',
            Effect: 'Allow',
            Action: 'invoice:read',
            Resource: '*',
            Condition: { StringEquals: { 'subject.tenant': globex.id } },
          },
          {
            Sid: 'OnlyAdmins',
            Effect: 'Allow',
            Action: 'invoice:approve',
            Resource: '*',
            Condition: { 'ForAnyValue:StringEquals': { 'subject.roles': ['admin'] } },
          },
          {
            Sid: 'OwnTenantPath',
            Effect: 'Allow',
            Action: 'report:read',
            Resource: '${subject.tenant}/report/*',
          },
          { Sid: 'OwnReports', Effect: 'Allow', Action: 'report:write', Resource: 'report/${subject.id}/*' },
        ]),
        victim.id,
      );
      const forged = [
        { subject: { tenant: globex.id, roles: ['admin'], id: '*' } },
        { 'subject.tenant': globex.id, 'subject.roles': ['admin'], 'subject.id': '*' },
        { SUBJECT: { TENANT: globex.id, ROLES: ['admin'], ID: '*' } },
      ];
      for (const context of forged) {
        for (const [action, resource] of [
          ['invoice:read', 'invoice/1'],
          ['invoice:approve', 'invoice/1'],
          ['report:read', `${globex.id}/report/1`],
          ['report:write', 'report/someone-else/q3'],
        ] as const) {
          const res = await check({ subject: victim.id, action, resource, context });
          assert.ok(res.statusCode === 200 || res.statusCode === 422, res.body);
          if (res.statusCode === 200)
            assert.equal(res.json().decision, 'deny', `${action} with ${JSON.stringify(context)}`);
        }
      }
      // The same statements allow what they should for the real subject.
      const own = await check({ subject: victim.id, action: 'report:read', resource: `${acme.id}/report/1` });
      assert.equal(own.json().decision, 'allow', own.body);
      const mine = await check({
        subject: victim.id,
        action: 'report:write',
        resource: `report/${victim.id}/q3`,
      });
      assert.equal(mine.json().decision, 'allow', mine.body);
    });

    test('a substituted variable is matched literally: a "*" in a value is no wildcard', async () => {
      const res = await call(t, 'POST', '/t/acme/v1/authz/simulate', {
        token: acme.adminToken,
        payload: {
          policies: [doc({ Effect: 'Allow', Action: 'report:*', Resource: 'report/${subject.id}/*' })],
          request: { action: 'report:read', resource: 'report/u2/q3', context: { subject: { id: '*' } } },
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().decision, 'deny');
    });

    test("acme's administrator cannot ask about globex's subjects, singly or in a batch", async () => {
      problemOf(
        await check({ subject: globexUser.id, action: 'user:read', resource: 'user/1' }),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
      const batch = await call(t, 'POST', '/t/acme/v1/authz/check/batch', {
        token: acme.adminToken,
        payload: { checks: [{ subject: globexUser.id, action: 'user:read', resource: 'user/1' }] },
      });
      assert.equal(batch.statusCode, 200, batch.body);
      assert.equal(batch.json().results[0].decision, 'deny');
      assert.equal(batch.json().results[0].code, 'IAM_ERR_USER_NOT_FOUND');
      const globexCheck = await call(t, 'POST', '/t/globex/v1/authz/check', {
        token: acme.adminToken,
        payload: { subject: globexUser.id, action: 'user:read', resource: 'user/1' },
      });
      problemOf(globexCheck, 401, 'IAM_ERR_UNAUTHENTICATED');
    });
  });
}
