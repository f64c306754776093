import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, snapshot, type TenantFixture } from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`no granting beyond one's own permissions (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(() => t.close());

    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const roleId = async (name: string) =>
      (
        (
          await t.app.inject({
            method: 'GET',
            url: '/t/acme/v1/roles?limit=200',
            headers: as(acme.adminToken),
          })
        ).json().items as { id: string; name: string }[]
      ).find((r) => r.name === name)!.id;

    test('a role manager cannot give themselves (or anyone) admin, but can give what they hold', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/roles',
        headers: as(acme.adminToken),
        payload: { name: 'role_manager', permissions: ['role:update', 'role:read', 'user:read'] },
      });
      assert.equal(created.statusCode, 201, created.body);
      const manager = await createUser(t, acme.id, { roles: ['user'] });
      await t.app.inject({
        method: 'PUT',
        url: `/t/acme/v1/users/${manager.id}/roles/${created.json().id}`,
        headers: as(acme.adminToken),
      });
      const token = await login(t.app, 'acme', manager.email, manager.password);

      const before = await snapshot(t, acme.id);
      const self = await t.app.inject({
        method: 'PUT',
        url: `/t/acme/v1/users/${manager.id}/roles/${await roleId('admin')}`,
        headers: as(token),
      });
      problemOf(self, 403, 'IAM_ERR_FORBIDDEN');
      assert.deepEqual(await snapshot(t, acme.id), before);

      const other = await createUser(t, acme.id);
      const reader = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/roles',
        headers: as(acme.adminToken),
        payload: { name: 'reader', permissions: ['user:read'] },
      });
      const ok = await t.app.inject({
        method: 'PUT',
        url: `/t/acme/v1/users/${other.id}/roles/${reader.json().id}`,
        headers: as(token),
      });
      assert.equal(ok.statusCode, 204, ok.body);
      // The tenant administrator holds everything and may grant admin.
      assert.equal(
        (
          await t.app.inject({
            method: 'PUT',
            url: `/t/acme/v1/users/${other.id}/roles/${await roleId('admin')}`,
            headers: as(acme.adminToken),
          })
        ).statusCode,
        204,
      );
    });
  });
}
