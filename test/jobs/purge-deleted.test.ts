import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import { type JobScheduler, TENANT_TABLE_ORDER, tablesWithTenantId } from '../../src/jobs/index.ts';
import { openTestDatabase, type TestDatabase } from '../events/queue-support.ts';
import { VARIANTS } from '../support/databases.ts';
import { ago, DAY, insertTenant, schedulerFor } from './job-support.ts';
import { seedTenantBasics, seedUserWithData, USER_COLUMNS } from './tenant-seed.ts';

/** Rows naming the user, per table (refresh tokens and used steps go with sessions and credentials). */
async function footprint(
  database: Database,
  tenantId: string,
  userId: string,
): Promise<Record<string, number>> {
  return database.withTenant(tenantId, async (trx) => {
    const counts: Record<string, number> = {};
    for (const [table, column] of Object.entries(USER_COLUMNS)) {
      const result = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}
        WHERE tenant_id = ${tenantId} AND ${sql.ref(column)} = ${userId}`.execute(trx);
      counts[table] = Number(result.rows[0]?.n);
    }
    return counts;
  });
}

/** Rows of the tenant in every table that has a tenant_id column. */
async function tenantRows(database: Database, tenantId: string): Promise<Record<string, number>> {
  const tables = await tablesWithTenantId(database);
  return database.withTenant(tenantId, async (trx) => {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const result = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}
        WHERE tenant_id = ${tenantId}`.execute(trx);
      counts[table] = Number(result.rows[0]?.n);
    }
    return counts;
  });
}

const tenantCount = async (
  database: Database,
  tenantId: string,
  table: 'refresh_tokens' | 'mfa_used_steps',
) =>
  Number(
    (
      await database.withTenant(tenantId, (trx) =>
        trx
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow(),
      )
    ).n,
  );

for (const variant of VARIANTS) {
  describe(`purges of deleted users and tenants (${variant})`, () => {
    let t: TestDatabase;
    let jobs: JobScheduler;
    before(async () => {
      t = await openTestDatabase(variant);
      jobs = schedulerFor(t, { config: { JOB_BATCH_SIZE: 10 } });
    });
    after(async () => {
      await t?.close();
    });

    test("purge-deleted-users removes users past their tenant's retention with everything they own", async () => {
      const a = await insertTenant(t.database);
      const b = await insertTenant(t.database, { settings: { users: { deleted_retention_days: 5 } } });
      const basicsA = await seedTenantBasics(t.database, a);
      const basicsB = await seedTenantBasics(t.database, b);
      const gone = await seedUserWithData(t.database, a, basicsA, { deletedAt: ago(31 * DAY) });
      const restorable = await seedUserWithData(t.database, a, basicsA, { deletedAt: ago(29 * DAY) });
      const live = await seedUserWithData(t.database, a, basicsA);
      const goneB = await seedUserWithData(t.database, b, basicsB, { deletedAt: ago(6 * DAY) });
      const restorableB = await seedUserWithData(t.database, b, basicsB, { deletedAt: ago(4 * DAY) });
      const before = {
        restorable: await footprint(t.database, a, restorable),
        live: await footprint(t.database, a, live),
        restorableB: await footprint(t.database, b, restorableB),
      };
      assert.ok(
        Object.values(before.live).every((n) => n >= 1),
        'the seed fills every table',
      );

      const result = await jobs.runOnce('purge-deleted-users');
      assert.equal(result.status, 'succeeded', result.error);

      for (const [tenant, user] of [
        [a, gone],
        [b, goneB],
      ] as const) {
        assert.ok(Object.values(await footprint(t.database, tenant, user)).every((n) => n === 0));
      }
      assert.deepEqual(await footprint(t.database, a, restorable), before.restorable);
      assert.deepEqual(await footprint(t.database, a, live), before.live);
      assert.deepEqual(await footprint(t.database, b, restorableB), before.restorableB);
      // Children reached through sessions and credentials went too: two users of three are left in A.
      assert.equal(await tenantCount(t.database, a, 'refresh_tokens'), 4);
      assert.equal(await tenantCount(t.database, a, 'mfa_used_steps'), 2);
      // The tenant's own rows (the group's policy attachment, roles, groups) stay.
      const attachments = await t.database.withTenant(a, (trx) =>
        trx.selectFrom('policy_attachments').select('target_type').where('tenant_id', '=', a).execute(),
      );
      assert.deepEqual(attachments.map((r) => r.target_type).sort(), ['group', 'user', 'user']);
    });

    test('purge-deleted-tenants removes a tenant past the retention with all its data, and only that', async () => {
      const old = await insertTenant(t.database, { status: 'deleted', deletedAt: ago(31 * DAY) });
      const recent = await insertTenant(t.database, { status: 'deleted', deletedAt: ago(10 * DAY) });
      const active = await insertTenant(t.database);
      for (const tenant of [old, recent, active]) {
        const basics = await seedTenantBasics(t.database, tenant);
        await seedUserWithData(t.database, tenant, basics);
        await seedUserWithData(t.database, tenant, basics, { deletedAt: ago(DAY) });
      }
      const before = {
        recent: await tenantRows(t.database, recent),
        active: await tenantRows(t.database, active),
      };
      const seeded = await tenantRows(t.database, old);
      const empty = Object.entries(seeded).filter(([, n]) => n === 0);
      assert.deepEqual(empty, [], 'the seed has rows in every tenant table');

      const result = await jobs.runOnce('purge-deleted-tenants');
      assert.equal(result.status, 'succeeded', result.error);

      assert.ok(Object.values(await tenantRows(t.database, old)).every((n) => n === 0));
      const ids = (
        await t.database.db
          .selectFrom('tenants')
          .select('id')
          .where('id', 'in', [old, recent, active])
          .execute()
      )
        .map((r) => r.id)
        .sort();
      assert.deepEqual(ids, [recent, active].sort());
      assert.deepEqual(await tenantRows(t.database, recent), before.recent);
      assert.deepEqual(await tenantRows(t.database, active), before.active);
      // Several batches of ten per table, one transaction each.
      const run = await t.database.db
        .selectFrom('job_runs')
        .selectAll()
        .where('id', '=', String(result.runId))
        .executeTakeFirstOrThrow();
      assert.equal(Number(run.rows_affected), result.rows);
      assert.ok(run.batches >= Object.keys(seeded).length);
    });

    test('every table with a tenant_id is in the purge order (keep TENANT_TABLE_ORDER current)', async () => {
      const missing = (await tablesWithTenantId(t.database)).filter(
        (table) => !TENANT_TABLE_ORDER.includes(table),
      );
      assert.deepEqual(
        missing,
        [],
        'unknown tables are purged first; list them in src/jobs/tenant-tables.ts',
      );
    });
  });
}
