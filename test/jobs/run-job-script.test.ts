import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { uuidv7 } from '../../src/db/index.ts';
import { openTestDatabase, type TestDatabase } from '../events/queue-support.ts';
import { VARIANTS } from '../support/databases.ts';

const run = promisify(execFile);

/** `npm run job -- <name>` as operators run it; resolves with the exit code and output. */
async function runJob(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/run-job.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

for (const variant of VARIANTS) {
  describe(`npm run job (${variant})`, () => {
    let t: TestDatabase;
    let env: Record<string, string>;
    before(async () => {
      t = await openTestDatabase(variant);
      env = {
        DATA_DIR: t.config.DATA_DIR,
        DATABASE_URL: t.config.DATABASE_URL,
        DATABASE_MIGRATION_URL: t.config.DATABASE_MIGRATION_URL,
      };
    });
    after(async () => {
      await t?.close();
    });

    test('runs one job once, prints its run and exits 0', async () => {
      const result = await runJob(env, 'purge-expired-links');
      assert.equal(result.code, 0, result.stderr);
      const printed = JSON.parse(result.stdout);
      assert.equal(printed.status, 'succeeded');
      const stored = await t.database.db
        .selectFrom('job_runs')
        .selectAll()
        .where('id', '=', printed.run_id)
        .executeTakeFirstOrThrow();
      assert.deepEqual([stored.trigger, stored.status], ['command', 'succeeded']);
    });

    test('honours the lease: a job running elsewhere is skipped, not run twice', async () => {
      await t.database.db
        .insertInto('job_leases')
        .values({
          job: 'purge-used-totp-steps',
          holder: 'service',
          run_id: uuidv7(),
          slot: null,
          acquired_at: '2000-01-01T00:00:00.000Z',
          expires_at: '2999-01-01T00:00:00.000Z',
        })
        .execute();
      const result = await runJob(env, 'purge-used-totp-steps');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).status, 'skipped');
    });

    test('an unknown job or a bad schedule exits 2 with the reason', async () => {
      const unknown = await runJob(env, 'no-such-job');
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /jobs: purge-expired-tokens/);
      const bad = await runJob(
        { ...env, JOB_PURGE_EXPIRED_TOKENS_CRON: '0 25 * * *' },
        'purge-expired-tokens',
      );
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /JOB_PURGE_EXPIRED_TOKENS_CRON: invalid cron expression/);
    });
  });
}
