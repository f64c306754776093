import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { VARIANTS } from '../support/databases.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

// Row-level security is PostgreSQL's second wall behind the repositories' tenant filters.
describe('row-level security (postgres)', {
  skip: VARIANTS.includes('postgres') ? false : 'PostgreSQL not in DB_VARIANTS',
}, () => {
  let t: TestApp;
  let a: string;
  let b: string;
  before(async () => {
    t = await startTestApp('postgres');
    const auth = { authorization: `Bearer ${await t.adminToken()}` };
    a = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: auth,
        payload: { slug: 'tenant-a', display_name: 'A' },
      })
    ).json().id;
    b = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: auth,
        payload: { slug: 'tenant-b', display_name: 'B' },
      })
    ).json().id;
  });
  after(() => t.close());

  test('a query that forgets its tenant filter still sees only its own tenant', async () => {
    const rows = await t.database.withTenant(a, (trx) =>
      trx.selectFrom('roles').select(['tenant_id', 'name']).execute(),
    );
    assert.equal(rows.length, 3);
    assert.ok(rows.every((r) => r.tenant_id === a));
  });

  test('asking for another tenant by id inside a tenant transaction returns nothing', async () => {
    const rows = await t.database.withTenant(a, (trx) =>
      trx.selectFrom('roles').selectAll().where('tenant_id', '=', b).execute(),
    );
    assert.deepEqual(rows, []);
  });

  test('without a tenant in the transaction, tenant tables are empty', async () => {
    const rows = await t.database.db.selectFrom('roles').selectAll().execute();
    assert.deepEqual(rows, []);
  });

  test("writing another tenant's row is refused", async () => {
    await assert.rejects(
      t.database.withTenant(a, (trx) =>
        trx
          .insertInto('roles')
          .values({
            tenant_id: b,
            id: '00000000-0000-7000-8000-0000000000aa',
            name: 'x',
            description: '',
            permissions: '[]',
            system: false,
            created_at: new Date().toISOString(),
            updated_at: new Date().toISOString(),
          })
          .execute(),
      ),
      /row-level security/,
    );
    const updated = await t.database.withTenant(a, (trx) =>
      trx.updateTable('roles').set({ description: 'pwned' }).where('tenant_id', '=', b).executeTakeFirst(),
    );
    assert.equal(Number(updated.numUpdatedRows), 0);
  });

  test('the service role cannot switch the policy off', async () => {
    const result = await sql<{
      bypass: boolean;
    }>`SELECT rolbypassrls OR rolsuper AS bypass FROM pg_roles WHERE rolname = current_user`.execute(
      t.database.db,
    );
    assert.equal(result.rows[0]?.bypass, false);
    await assert.rejects(
      sql`ALTER TABLE roles DISABLE ROW LEVEL SECURITY`.execute(t.database.db),
      /must be owner/,
    );
  });
});
