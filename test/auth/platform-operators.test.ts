import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { countEvents, createTenantWithAdmin, latestEvent, type TenantFixture } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`platform operators in other tenants (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      await createTenantWithAdmin(t, 'other');
    });
    after(() => t.close());

    test("an operator's platform token acts in any tenant, and every such action is recorded", async () => {
      const operator = { authorization: `Bearer ${await t.adminToken()}` };
      const before = await countEvents(t, 'operator.acted');
      const list = await t.app.inject({ method: 'GET', url: '/t/acme/v1/users', headers: operator });
      assert.equal(list.statusCode, 200);
      const created = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/users',
        headers: operator,
        payload: { email: 'made-by-ops@example.com' },
      });
      assert.equal(created.statusCode, 201);
      assert.equal(await countEvents(t, 'operator.acted'), before + 2);
      const recorded = await latestEvent(t, 'operator.acted');
      assert.equal(recorded?.tenant_id, acme.id);
      assert.equal(recorded?.method, 'POST');
      assert.equal(recorded?.route, '/t/:tenant/v1/users');
      assert.equal(recorded?.permission, 'user:create');
    });

    test('not on self-service routes, and never the other way round', async () => {
      const operator = { authorization: `Bearer ${await t.adminToken()}` };
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/acme/v1/me', headers: operator }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      // A tenant administrator has no reach into another tenant, nor into the platform's routes.
      const tenantAdmin = { authorization: `Bearer ${acme.adminToken}` };
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/other/v1/users', headers: tenantAdmin }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/platform/v1/users', headers: tenantAdmin }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/v1/tenants', headers: tenantAdmin }),
        403,
        'IAM_ERR_FORBIDDEN',
      );
    });
  });
}
