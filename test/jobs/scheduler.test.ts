import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { uuidv7 } from '../../src/db/index.ts';
import { createJobScheduler, type JobContext, type JobDefinition } from '../../src/jobs/index.ts';
import { openTestDatabase, type TestDatabase, waitFor } from '../events/queue-support.ts';
import { VARIANTS } from '../support/databases.ts';
import {
  ago,
  clock,
  DAY,
  insertCredential,
  insertTenant,
  insertUser,
  schedulerFor,
  silentLog,
} from './job-support.ts';

/** A job that counts its runs and, when gated, waits until released (checking for abort meanwhile). */
function testJob(name: string, gated = false) {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let released = !gated;
  void gate.then(() => {
    released = true;
  });
  let entered = () => {};
  const started = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const job: JobDefinition & { calls: number } = {
    name,
    description: 'A test job.',
    schedule: '0 0 1 1 *',
    calls: 0,
    async run(ctx: JobContext) {
      job.calls += 1;
      entered();
      while (!released) {
        ctx.signal.throwIfAborted();
        await sleep(5);
      }
      ctx.progress(3);
    },
  };
  return { job, started, release };
}

async function runsOf(t: TestDatabase, job: string) {
  return t.database.db.selectFrom('job_runs').selectAll().where('job', '=', job).orderBy('id').execute();
}

let sequence = 0;
const jobName = (base: string) => `${base}-${++sequence}`;

for (const variant of VARIANTS) {
  describe(`job scheduler (${variant})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(variant);
    });
    after(async () => {
      await t?.close();
    });

    test('two schedulers racing for the same scheduled time run the job once', async () => {
      const { job, started, release } = testJob(jobName('race'), true);
      const a = schedulerFor(t, { jobs: [job], holder: 'process-a' });
      const b = schedulerFor(t, { database: t.openAnother(), jobs: [job], holder: 'process-b' });
      const slot = new Date('2031-03-01T00:00:00.000Z');
      const racing = Promise.all([a.tick(job.name, slot), b.tick(job.name, slot)]);
      await started;
      release();
      const results = await racing;
      assert.equal(job.calls, 1);
      assert.deepEqual(results.map((r) => r.status).sort(), ['skipped', 'succeeded']);
      assert.equal(results.find((r) => r.status === 'skipped')?.runId, null, 'the loser records nothing');
      // Once done, neither may run the same scheduled time again.
      assert.equal((await a.tick(job.name, slot)).runId, null);
      assert.equal((await b.tick(job.name, slot)).runId, null);
      assert.equal(job.calls, 1);
      const runs = await runsOf(t, job.name);
      assert.deepEqual(
        runs.map((r) => [r.status, r.trigger, Number(r.rows_affected)]),
        [['succeeded', 'schedule', 3]],
      );
      // The next scheduled time runs again.
      assert.equal((await b.tick(job.name, new Date('2031-03-02T00:00:00.000Z'))).status, 'succeeded');
      assert.equal(job.calls, 2);
    });

    test('a job still running is not started twice: later times and manual starts are skipped', async () => {
      const { job, started, release } = testJob(jobName('long'), true);
      const a = schedulerFor(t, { jobs: [job], holder: 'process-a' });
      const b = schedulerFor(t, { database: t.openAnother(), jobs: [job], holder: 'process-b' });
      const first = a.tick(job.name, new Date('2031-03-01T00:00:00.000Z'));
      await started;
      const later = new Date('2031-03-01T01:00:00.000Z');
      const skips = await Promise.all([a.tick(job.name, later), b.tick(job.name, later)]);
      const recorded = skips.filter((s) => s.runId !== null);
      assert.equal(recorded.length, 1, 'one process records the skipped time');
      assert.equal(recorded[0]?.status, 'skipped');
      assert.equal((await b.runOnce(job.name)).status, 'skipped');
      await assert.rejects(a.runNow(job.name, null), { code: 'IAM_ERR_JOB_RUNNING' });
      await assert.rejects(b.runNow(job.name, null), { code: 'IAM_ERR_JOB_RUNNING' });
      release();
      assert.equal((await first).status, 'succeeded');
      assert.equal(job.calls, 1);
      const statuses = (await runsOf(t, job.name)).map((r) => r.status).sort();
      assert.deepEqual(statuses, ['skipped', 'skipped', 'succeeded']);
      // Released at once: a manual run need not wait for the lease to lapse.
      assert.equal((await b.runOnce(job.name)).status, 'succeeded');
    });

    test('a killed run is taken over once its lease has expired, and the purge finishes', async () => {
      const tenant = await insertTenant(t.database);
      const credential = await insertCredential(t.database, tenant, await insertUser(t.database, tenant));
      await t.database.withTenant(tenant, (trx) =>
        trx
          .insertInto('mfa_used_steps')
          .values(
            Array.from({ length: 450 }, (_, i) => ({
              tenant_id: tenant,
              credential_id: credential,
              step: i,
              expires_at: i < 400 ? ago(60_000) : ago(-DAY),
            })),
          )
          .execute(),
      );
      const dead = uuidv7();
      const name = 'purge-used-totp-steps';
      await t.database.db.deleteFrom('job_leases').where('job', '=', name).execute();
      await t.database.db
        .insertInto('job_leases')
        .values({
          job: name,
          holder: 'dead-process',
          run_id: dead,
          slot: null,
          acquired_at: '2000-01-01T00:00:00.000Z',
          expires_at: '2999-01-01T00:00:00.000Z',
        })
        .execute();
      await t.database.db
        .insertInto('job_runs')
        .values({
          id: dead,
          job: name,
          trigger: 'schedule',
          status: 'running',
          holder: 'dead-process',
          triggered_by: null,
          started_at: ago(DAY),
          finished_at: null,
          error: null,
        })
        .execute();
      const scheduler = schedulerFor(t, { config: { JOB_BATCH_SIZE: 100 } });
      // While the dead holder's lease has not expired, nobody else may run the job.
      assert.equal((await scheduler.runOnce(name)).status, 'skipped');
      await t.database.db
        .updateTable('job_leases')
        .set({ expires_at: '2001-01-01T00:00:00.000Z' })
        .where('job', '=', name)
        .execute();
      const result = await scheduler.runOnce(name);
      assert.equal(result.status, 'succeeded');
      assert.ok(result.rows >= 400);
      const left = await t.database.withTenant(tenant, (trx) =>
        trx.selectFrom('mfa_used_steps').select('step').where('tenant_id', '=', tenant).execute(),
      );
      assert.equal(left.length, 50);
      const abandoned = await t.database.db
        .selectFrom('job_runs')
        .selectAll()
        .where('id', '=', dead)
        .executeTakeFirstOrThrow();
      assert.equal(abandoned.status, 'failed');
      assert.match(String(abandoned.error), /abandoned/);
    });

    test('an interrupted run leaves whole batches, and the next run finishes the rest', async () => {
      const tenant = await insertTenant(t.database);
      const credential = await insertCredential(t.database, tenant, await insertUser(t.database, tenant));
      await t.database.withTenant(tenant, (trx) =>
        trx
          .insertInto('mfa_used_steps')
          .values(
            Array.from({ length: 3010 }, (_, i) => ({
              tenant_id: tenant,
              credential_id: credential,
              step: i,
              expires_at: i < 3000 ? ago(60_000) : ago(-DAY),
            })),
          )
          .execute(),
      );
      const name = 'purge-used-totp-steps';
      const a = schedulerFor(t, { config: { JOB_BATCH_SIZE: 50 }, holder: 'process-a' });
      const runId = await a.runNow(name, null);
      await a.stop();
      const interrupted = await t.database.db
        .selectFrom('job_runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      assert.equal(interrupted.status, 'failed');
      assert.match(String(interrupted.error), /interrupted/);
      const b = schedulerFor(t, {
        database: t.openAnother(),
        config: { JOB_BATCH_SIZE: 50 },
        holder: 'process-b',
      });
      const finished = await b.runOnce(name);
      assert.equal(finished.status, 'succeeded');
      const left = await t.database.withTenant(tenant, (trx) =>
        trx.selectFrom('mfa_used_steps').select('step').where('tenant_id', '=', tenant).execute(),
      );
      assert.equal(left.length, 10);
      assert.ok(left.every((r) => Number(r.step) >= 3000));
    });

    test('a run whose lease was taken over stops at its next batch and leaves the lease alone', async () => {
      const { job, started } = testJob(jobName('stolen'), true);
      const scheduler = schedulerFor(t, { jobs: [job], renewEveryMs: 20 });
      const runId = await scheduler.runNow(job.name, null);
      await started;
      await t.database.db
        .updateTable('job_leases')
        .set({ holder: 'thief', run_id: uuidv7() })
        .where('job', '=', job.name)
        .execute();
      await scheduler.settled();
      const run = await t.database.db
        .selectFrom('job_runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      assert.equal(run.status, 'failed');
      assert.match(String(run.error), /lease lost/);
      const lease = await t.database.db
        .selectFrom('job_leases')
        .selectAll()
        .where('job', '=', job.name)
        .executeTakeFirstOrThrow();
      assert.equal(lease.holder, 'thief');
    });

    test('a running job renews its lease', async () => {
      const { job, started, release } = testJob(jobName('renewed'), true);
      const scheduler = schedulerFor(t, { jobs: [job], renewEveryMs: 20 });
      await scheduler.runNow(job.name, null);
      await started;
      const expiry = async () =>
        (
          await t.database.db
            .selectFrom('job_leases')
            .select('expires_at')
            .where('job', '=', job.name)
            .executeTakeFirstOrThrow()
        ).expires_at;
      const first = new Date(await expiry()).getTime();
      await waitFor('a renewal', async () => new Date(await expiry()).getTime() > first);
      release();
      await scheduler.settled();
    });

    test('an invalid cron expression stops the scheduler from being built, naming its setting', () => {
      assert.throws(
        () =>
          createJobScheduler({
            database: t.database,
            clock,
            config: { ...t.config, JOB_PURGE_EXPIRED_TOKENS_CRON: '61 * * * *' },
            log: silentLog,
          }),
        /JOB_PURGE_EXPIRED_TOKENS_CRON: invalid cron expression "61 \* \* \* \*"/,
      );
      assert.throws(() => loadConfig({ JOB_PURGE_EXPIRED_LINKS_CRON: 'hourly' }), ConfigError);
    });

    test('the schedule runs only where enabled; the list shows schedules, next times and last runs', async () => {
      const enabled = schedulerFor(t, { config: { JOBS_ENABLED: true } });
      const disabled = schedulerFor(t);
      await enabled.start();
      await disabled.start();
      try {
        const listed = await enabled.list();
        assert.deepEqual(
          listed.map((j) => j.name),
          [
            'purge-expired-tokens',
            'purge-used-totp-steps',
            'purge-expired-links',
            'purge-deleted-users',
            'purge-deleted-tenants',
            'purge-job-runs-and-dead-letters',
            'password-expiry-reminders',
          ],
        );
        for (const job of listed) {
          assert.ok(job.nextRunAt && new Date(job.nextRunAt).getTime() > Date.now(), job.name);
        }
        const totp = listed.find((j) => j.name === 'purge-used-totp-steps');
        assert.equal(totp?.schedule, t.config.JOB_PURGE_USED_TOTP_STEPS_CRON);
        assert.ok((await disabled.list()).every((j) => j.nextRunAt === null));
      } finally {
        await enabled.stop();
        await disabled.stop();
      }
    });
  });
}
