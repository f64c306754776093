import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fromJson } from '../../src/db/index.ts';
import type { JobScheduler } from '../../src/jobs/index.ts';
import { openTestDatabase, type TestDatabase } from '../events/queue-support.ts';
import { VARIANTS } from '../support/databases.ts';
import { ago, DAY, insertTenant, insertUser, NOW, schedulerFor } from './job-support.ts';

const TYPE = 'user.password_expiry_reminder_due';

for (const variant of VARIANTS) {
  describe(`password expiry reminders (${variant})`, () => {
    let t: TestDatabase;
    let jobs: JobScheduler;
    before(async () => {
      t = await openTestDatabase(variant);
      jobs = schedulerFor(t, { config: { JOB_BATCH_SIZE: 2 } });
    });
    after(async () => {
      await t?.close();
    });

    const reminders = async (tenantId: string) =>
      (
        await t.database.db
          .selectFrom('outbox')
          .select(['payload', 'tenant_id', 'occurred_at'])
          .where('type', '=', TYPE)
          .where('tenant_id', '=', tenantId)
          .orderBy('id')
          .execute()
      ).map((r) => fromJson<Record<string, unknown>>(r.payload));

    async function run() {
      const result = await jobs.runOnce('password-expiry-reminders');
      assert.equal(result.status, 'succeeded', result.error);
      return result;
    }

    test('one reminder per password that expires within the reminder period, however often the job runs', async () => {
      const expiring = { password_expiry: { max_age_days: 90, reminder_days: 7 } };
      const tenant = await insertTenant(t.database, { settings: expiring });
      const other = await insertTenant(t.database);
      const suspended = await insertTenant(t.database, { status: 'suspended', settings: expiring });
      const due = await insertUser(t.database, tenant, { passwordChangedAt: ago(85 * DAY) });
      const neverChanged = await insertUser(t.database, tenant, {
        createdAt: ago(86 * DAY),
        passwordChangedAt: null,
      });
      const dueToo = await insertUser(t.database, tenant, { passwordChangedAt: ago(84 * DAY) });
      await insertUser(t.database, tenant, { passwordChangedAt: ago(80 * DAY) }); // expires in 10 days
      await insertUser(t.database, tenant, { passwordChangedAt: ago(91 * DAY) }); // already expired
      await insertUser(t.database, tenant, { passwordChangedAt: ago(85 * DAY), deletedAt: ago(DAY) });
      await insertUser(t.database, tenant, {
        createdAt: ago(85 * DAY),
        passwordChangedAt: null,
        password: false,
      });
      await insertUser(t.database, other, { passwordChangedAt: ago(85 * DAY) }); // passwords never expire there
      await insertUser(t.database, suspended, { passwordChangedAt: ago(85 * DAY) });

      const first = await run();
      assert.equal(first.rows, 3);
      await run();
      await run();

      const sent = await reminders(tenant);
      assert.deepEqual(sent.map((p) => p.user_id).sort(), [due, neverChanged, dueToo].sort());
      const payload = sent.find((p) => p.user_id === due);
      assert.deepEqual(payload, {
        tenant_id: tenant,
        user_id: due,
        email: `${due}@example.test`,
        actor_id: null,
        expires_at: new Date(NOW.getTime() - 85 * DAY + 90 * DAY).toISOString(),
      });
      assert.equal(
        sent.find((p) => p.user_id === neverChanged)?.expires_at,
        new Date(NOW.getTime() + 4 * DAY).toISOString(),
      );
      assert.deepEqual(await reminders(other), []);
      assert.deepEqual(await reminders(suspended), []);

      // A new password is a new reminder when it too nears its expiry (here: set half a day later).
      await t.database.withTenant(tenant, (trx) =>
        trx
          .updateTable('users')
          .set({ password_changed_at: ago(84.5 * DAY) })
          .where('tenant_id', '=', tenant)
          .where('id', '=', due)
          .execute(),
      );
      await run();
      await run();
      const again = (await reminders(tenant)).filter((p) => p.user_id === due);
      assert.equal(again.length, 2);
      const recorded = await t.database.withTenant(tenant, (trx) =>
        trx
          .selectFrom('password_reminders')
          .select('user_id')
          .where('tenant_id', '=', tenant)
          .where('user_id', '=', due)
          .execute(),
      );
      assert.equal(recorded.length, 1, 'one record per user: the spent one is dropped');
    });
  });
}
