import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spendOnce } from '../../src/db/index.ts';
import { issueLink } from '../../src/users/link-tokens.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, type TenantFixture } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`single-use rows (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    const now = () => new Date().toISOString();
    const newLink = () =>
      t.database.withTenant(acme.id, (trx) =>
        issueLink(trx, acme.id, {
          userId: acme.adminId,
          purpose: 'reset_password',
          email: acme.adminEmail,
          ttlMinutes: 10,
          now: new Date(),
        }),
      );
    const spend = (tenantId: string, id: string) =>
      t.database.withTenant(tenantId, (trx) =>
        spendOnce(trx, 'user_tokens', { tenant_id: tenantId, id }, now()),
      );
    const usedAt = async (id: string) =>
      (
        await t.database.withTenant(acme.id, (trx) =>
          trx.selectFrom('user_tokens').select('used_at').where('id', '=', id).executeTakeFirstOrThrow(),
        )
      ).used_at;

    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
    });
    after(() => t.close());

    test('a row is spent once: the first use is true, every later one false', async () => {
      const link = await newLink();
      assert.equal(await spend(acme.id, link.id), true);
      const first = await usedAt(link.id);
      assert.ok(first);
      assert.equal(await spend(acme.id, link.id), false);
      assert.equal(await usedAt(link.id), first, 'a later use leaves the first use as it was');
    });

    test('of uses at the same moment, exactly one succeeds', async () => {
      const link = await newLink();
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => spend(acme.id, link.id)));
      assert.deepEqual(
        outcomes.filter((spent) => spent),
        [true],
      );
    });

    test("an unknown row, or another tenant's, is not spent", async () => {
      assert.equal(await spend(acme.id, '0190a0a0-0000-7000-8000-000000000000'), false);
      const link = await newLink();
      assert.equal(await spend(globex.id, link.id), false);
      assert.equal(await usedAt(link.id), null);
    });
  });
}
