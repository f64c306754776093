import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/index.ts';
import { createTenantDirectory } from '../../src/tenants/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, type TenantFixture } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`tenant directory (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let reads = 0;
    // The app's database, counting the queries the directory starts.
    let counted: Database;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      const db = new Proxy(t.database.db, {
        get(target, property) {
          if (property === 'selectFrom') reads++;
          const value = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      counted = { ...t.database, db };
    });
    after(() => t.close());

    test('requests that find a tenant missing or stale at once share one read', async () => {
      const directory = createTenantDirectory({ database: counted });
      reads = 0;
      const answers = await Promise.all(Array.from({ length: 20 }, () => directory.bySlug('acme')));
      assert.equal(reads, 1);
      assert.ok(answers.every((a) => a?.id === acme.id));
      await directory.bySlug('acme');
      assert.equal(reads, 1, 'fresh: answered from memory');
      assert.equal(await directory.bySlug('nowhere'), undefined);
    });

    test('a read under way when the tenant is forgotten is neither shared nor kept', async () => {
      const directory = createTenantDirectory({ database: counted });
      reads = 0;
      const early = directory.bySlug('acme');
      await t.database.db
        .updateTable('tenants')
        .set({ status: 'suspended' })
        .where('id', '=', acme.id)
        .execute();
      directory.forget('acme');
      try {
        const late = directory.bySlug('acme');
        assert.equal(reads, 2, 'the read after forget is a new one');
        await early;
        assert.equal((await late)?.status, 'suspended');
        assert.equal((await directory.bySlug('acme'))?.status, 'suspended');
        assert.equal(reads, 2, 'kept: the read that began after the change');
      } finally {
        await t.database.db
          .updateTable('tenants')
          .set({ status: 'active' })
          .where('id', '=', acme.id)
          .execute();
      }
    });
  });
}
