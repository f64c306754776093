import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { assertSchemaCurrent, currentVersion, LATEST_VERSION, migrate } from '../../src/db/index.ts';
import { openDatabase } from '../../src/startup.ts';
import { scratchDatabase, VARIANTS } from '../support/databases.ts';

for (const variant of VARIANTS) {
  describe(`migrations (${variant})`, () => {
    test('apply once, re-run as a no-op, refuse a newer or older schema', async () => {
      const scratch = await scratchDatabase(variant);
      const { config } = loadConfig(scratch.env);
      const owner = openDatabase(config, config.DATABASE_MIGRATION_URL || config.DATABASE_URL);
      try {
        assert.equal(await currentVersion(owner.db), 0);
        await assert.rejects(assertSchemaCurrent(owner), /older than this release needs.*npm run migrate/);
        assert.deepEqual(
          await migrate(owner),
          Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
        );
        assert.deepEqual(await migrate(owner), []);
        await assertSchemaCurrent(owner);
        await owner.db
          .insertInto('schema_migrations')
          .values({ version: LATEST_VERSION + 1, name: 'future', applied_at: new Date().toISOString() })
          .execute();
        await assert.rejects(assertSchemaCurrent(owner), /newer than this release knows/);
        await assert.rejects(migrate(owner), /newer than this release knows/);
      } finally {
        await owner.close();
        await scratch.drop();
      }
    });

    // The embedded database is migrated by the one primary process before workers start, and
    // node:sqlite's synchronous busy wait cannot interleave connections within one process.
    const replicas = variant === 'postgres' ? false : 'only PostgreSQL is shared by replicas';
    test('replicas migrating at once apply each migration exactly once', { skip: replicas }, async () => {
      const scratch = await scratchDatabase(variant);
      const { config } = loadConfig(scratch.env);
      const owners = [0, 1, 2].map(() =>
        openDatabase(config, config.DATABASE_MIGRATION_URL || config.DATABASE_URL),
      );
      try {
        const results = await Promise.all(owners.map((o) => migrate(o)));
        assert.equal(results.flat().length, LATEST_VERSION);
        assert.equal(await currentVersion(owners[0]!.db), LATEST_VERSION);
      } finally {
        for (const o of owners) await o.close();
        await scratch.drop();
      }
    });
  });
}
