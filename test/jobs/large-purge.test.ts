import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../events/queue-support.ts';
import { VARIANTS } from '../support/databases.ts';
import { ago, DAY, insertCredential, insertTenant, insertUser, schedulerFor } from './job-support.ts';

const EXPIRED = 100_500;
const LIVE = 20;

for (const variant of VARIANTS) {
  describe(`a purge over 100,000 rows (${variant})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(variant);
    });
    after(async () => {
      await t?.close();
    });

    test('completes in batches of the configured size', async () => {
      const tenant = await insertTenant(t.database);
      const credential = await insertCredential(t.database, tenant, await insertUser(t.database, tenant));
      const expired = ago(60_000);
      const live = ago(-DAY);
      // One statement per dialect generates the rows inside the database.
      await t.database.withTenant(tenant, async (trx) => {
        const total = EXPIRED + LIVE;
        if (variant === 'postgres') {
          await sql`INSERT INTO mfa_used_steps (tenant_id, credential_id, step, expires_at)
            SELECT ${tenant}::uuid, ${credential}::uuid, g,
              CASE WHEN g <= ${EXPIRED} THEN ${expired}::timestamptz ELSE ${live}::timestamptz END
            FROM generate_series(1, ${total}::int) AS g`.execute(trx);
        } else {
          await sql`WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < ${total})
            INSERT INTO mfa_used_steps (tenant_id, credential_id, step, expires_at)
            SELECT ${tenant}, ${credential}, g, CASE WHEN g <= ${EXPIRED} THEN ${expired} ELSE ${live} END FROM n`.execute(
            trx,
          );
        }
      });
      const scheduler = schedulerFor(t, { config: { JOB_BATCH_SIZE: 1000 } });
      const result = await scheduler.runOnce('purge-used-totp-steps');
      assert.equal(result.status, 'succeeded', result.error);
      assert.equal(result.rows, EXPIRED);
      const run = await t.database.db
        .selectFrom('job_runs')
        .selectAll()
        .where('id', '=', String(result.runId))
        .executeTakeFirstOrThrow();
      assert.equal(Number(run.rows_affected), EXPIRED);
      assert.equal(run.batches, Math.ceil(EXPIRED / 1000));
      const left = await t.database.withTenant(tenant, (trx) =>
        trx
          .selectFrom('mfa_used_steps')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', tenant)
          .executeTakeFirstOrThrow(),
      );
      assert.equal(Number(left.n), LIVE);
    });
  });
}
