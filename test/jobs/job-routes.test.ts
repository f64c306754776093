import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { uuidv7 } from '../../src/db/index.ts';
import { createJobScheduler, jobRoutes } from '../../src/jobs/index.ts';
import { waitFor } from '../events/queue-support.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';
import { ago, clock, DAY, silentLog } from './job-support.ts';

for (const variant of VARIANTS) {
  describe(`job routes (${variant})`, () => {
    let t: TestApp;
    let token: string;
    before(async () => {
      t = await startTestApp(variant, {
        clock,
        env: { JOBS_ENABLED: 'false' },
        extend(app, database) {
          // Until the service registers them itself, the routes are added here around a scheduler of our own.
          if (app.hasRoute({ method: 'GET', url: '/v1/jobs' })) return;
          const { config } = loadConfig({ NODE_ENV: 'test', JOBS_ENABLED: 'false' });
          const jobs = createJobScheduler({ database, clock, config, log: silentLog });
          app.register(jobRoutes, { jobs });
          app.addHook('onClose', () => jobs.stop());
        },
      });
      token = await t.adminToken();
    });
    after(async () => {
      await t?.close();
    });

    const call = (method: 'GET' | 'POST', url: string, bearer: string | null = token) =>
      t.app.inject({ method, url, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

    test('lists every job with its schedule, next time and last run', async () => {
      const res = await call('GET', '/v1/jobs');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.scheduler_enabled, false);
      assert.equal(body.items.length, 7);
      const links = body.items.find((j: { name: string }) => j.name === 'purge-expired-links');
      assert.deepEqual(
        { ...links, description: undefined },
        {
          name: 'purge-expired-links',
          description: undefined,
          schedule: t.config.JOB_PURGE_EXPIRED_LINKS_CRON,
          next_run_at: null,
          running: false,
          last_run: null,
        },
      );
    });

    test('runs a job now (202), and its run shows in the list of runs', async () => {
      const res = await call('POST', '/v1/jobs/purge-used-totp-steps/run');
      assert.equal(res.statusCode, 202);
      const { run_id: runId, status, job } = res.json();
      assert.equal(status, 'running');
      assert.equal(job, 'purge-used-totp-steps');
      let run: Record<string, unknown> | undefined;
      await waitFor('the run to finish', async () => {
        const page = (await call('GET', '/v1/jobs/purge-used-totp-steps/runs')).json();
        run = page.items.find((r: { id: string }) => r.id === runId);
        return run !== undefined && run.status !== 'running';
      });
      assert.equal(run?.status, 'succeeded');
      assert.equal(run?.trigger, 'manual');
      const platform = await t.database.db
        .selectFrom('tenants')
        .select('id')
        .where('slug', '=', 'platform')
        .executeTakeFirstOrThrow();
      const operator = await t.database.withTenant(platform.id, (trx) =>
        trx
          .selectFrom('users')
          .select('id')
          .where('tenant_id', '=', platform.id)
          .where('email', '=', 'operator@example.test')
          .executeTakeFirstOrThrow(),
      );
      assert.equal(run?.triggered_by, operator.id);
      const listed = (await call('GET', '/v1/jobs')).json();
      assert.equal(
        listed.items.find((j: { name: string }) => j.name === 'purge-used-totp-steps').last_run.id,
        runId,
      );
    });

    test('pages through runs newest first with cursors and Link headers', async () => {
      const name = 'purge-deleted-tenants';
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = uuidv7();
        ids.push(id);
        await t.database.db
          .insertInto('job_runs')
          .values({
            id,
            job: name,
            trigger: 'schedule',
            status: 'succeeded',
            holder: 'h',
            triggered_by: null,
            started_at: ago((5 - i) * DAY),
            finished_at: ago((5 - i) * DAY),
            error: null,
          })
          .execute();
      }
      const seen: string[] = [];
      let url: string | null = `/v1/jobs/${name}/runs?limit=2`;
      while (url) {
        const res = await call('GET', url);
        assert.equal(res.statusCode, 200);
        const page = res.json();
        seen.push(...page.items.map((r: { id: string }) => r.id));
        const link = res.headers.link;
        assert.equal(Boolean(link), page.next_cursor !== null);
        url = page.next_cursor ? String(link).replace(/^<([^>]+)>.*$/, '$1') : null;
      }
      assert.deepEqual(seen, [...ids].reverse());
    });

    test('an unknown job is a 404 problem', async () => {
      problemOf(await call('POST', '/v1/jobs/no-such-job/run'), 404, 'IAM_ERR_JOB_NOT_FOUND');
      problemOf(await call('GET', '/v1/jobs/no-such-job/runs'), 404, 'IAM_ERR_JOB_NOT_FOUND');
    });

    test('a job running anywhere is a 409 problem, and the list shows it running', async () => {
      const name = 'purge-expired-links';
      await t.database.db
        .insertInto('job_leases')
        .values({
          job: name,
          holder: 'another-process',
          run_id: uuidv7(),
          slot: null,
          acquired_at: ago(0),
          expires_at: '2999-01-01T00:00:00.000Z',
        })
        .onConflict((oc) =>
          oc.column('job').doUpdateSet({ holder: 'another-process', expires_at: '2999-01-01T00:00:00.000Z' }),
        )
        .execute();
      try {
        problemOf(await call('POST', `/v1/jobs/${name}/run`), 409, 'IAM_ERR_JOB_RUNNING');
        const listed = (await call('GET', '/v1/jobs')).json();
        assert.equal(listed.items.find((j: { name: string }) => j.name === name).running, true);
      } finally {
        await t.database.db.deleteFrom('job_leases').where('job', '=', name).execute();
      }
    });

    test('a bad cursor is a 400 problem, a bad limit a 422 one', async () => {
      problemOf(
        await call('GET', '/v1/jobs/purge-expired-links/runs?cursor=not-a-cursor'),
        400,
        'IAM_ERR_INVALID_CURSOR',
      );
      const wrongShape = Buffer.from(JSON.stringify(['only-one'])).toString('base64url');
      problemOf(
        await call('GET', `/v1/jobs/purge-expired-links/runs?cursor=${wrongShape}`),
        400,
        'IAM_ERR_INVALID_CURSOR',
      );
      problemOf(await call('GET', '/v1/jobs/purge-expired-links/runs?limit=0'), 422, 'IAM_ERR_VALIDATION');
    });

    test('only platform operators may see or run jobs', async () => {
      problemOf(await call('GET', '/v1/jobs', null), 401, 'IAM_ERR_UNAUTHENTICATED');
      const tenant = await createTenantWithAdmin(t, `jobs-${variant}`);
      problemOf(await call('GET', '/v1/jobs', tenant.adminToken), 403, 'IAM_ERR_FORBIDDEN');
      problemOf(
        await call('POST', '/v1/jobs/purge-expired-links/run', tenant.adminToken),
        403,
        'IAM_ERR_FORBIDDEN',
      );
    });
  });
}
