import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toJson, uuidv7 } from '../../src/db/index.ts';
import type { JobScheduler } from '../../src/jobs/index.ts';
import { openTestDatabase, type TestDatabase } from '../events/queue-support.ts';
import { VARIANTS } from '../support/databases.ts';
import {
  ago,
  DAY,
  HOUR,
  insertCredential,
  insertSession,
  insertTenant,
  insertUser,
  schedulerFor,
} from './job-support.ts';

for (const variant of VARIANTS) {
  describe(`purges of expired records (${variant})`, () => {
    let t: TestDatabase;
    let jobs: JobScheduler;
    before(async () => {
      t = await openTestDatabase(variant);
      // Small batches, so that every purge here takes several.
      jobs = schedulerFor(t, { config: { JOB_BATCH_SIZE: 2 } });
    });
    after(async () => {
      await t?.close();
    });

    async function run(name: string) {
      const result = await jobs.runOnce(name);
      assert.equal(result.status, 'succeeded', result.error);
      return result;
    }

    test('purge-expired-tokens removes expired revocations, ended sessions and spent challenges only', async () => {
      const a = await insertTenant(t.database);
      const b = await insertTenant(t.database);
      const ua = await insertUser(t.database, a);
      const ub = await insertUser(t.database, b);
      const future = ago(-10 * DAY);
      const sessions = {
        expired: await insertSession(t.database, a, ua, { expiresAt: ago(2 * DAY) }, 3),
        expiredInGrace: await insertSession(t.database, a, ua, { expiresAt: ago(2 * HOUR) }),
        idle: await insertSession(t.database, a, ua, { expiresAt: future, idleExpiresAt: ago(2 * DAY) }),
        revoked: await insertSession(t.database, a, ua, { expiresAt: future, revokedAt: ago(2 * DAY) }),
        revokedInGrace: await insertSession(t.database, a, ua, { expiresAt: future, revokedAt: ago(HOUR) }),
        live: await insertSession(t.database, a, ua, { expiresAt: future }, 2),
        otherExpired: await insertSession(t.database, b, ub, { expiresAt: ago(3 * DAY) }),
        otherLive: await insertSession(t.database, b, ub, { expiresAt: future }),
      };
      const revocation = async (tenant: string, expiresAt: string) =>
        Number(
          (
            await t.database.db
              .insertInto('revocations')
              .values({
                tenant_id: tenant,
                kind: 'token',
                subject: uuidv7(),
                not_before: null,
                expires_at: expiresAt,
                created_at: ago(DAY),
              })
              .returning('seq')
              .executeTakeFirstOrThrow()
          ).seq,
        );
      const revocations = {
        expiredA: await revocation(a, ago(HOUR)),
        expiredB: await revocation(b, ago(1000)),
        liveA: await revocation(a, ago(-HOUR)),
      };
      const challenge = async (
        tenant: string,
        user: string,
        created: string,
        expires: string,
        used: string | null,
      ) => {
        const hash = uuidv7();
        await t.database.withTenant(tenant, (trx) =>
          trx
            .insertInto('mfa_challenges')
            .values({
              tenant_id: tenant,
              token_hash: hash,
              user_id: user,
              amr: toJson(['pwd']),
              ip: null,
              user_agent: null,
              created_at: created,
              expires_at: expires,
              used_at: used,
            })
            .execute(),
        );
        return hash;
      };
      const challenges = {
        expired: await challenge(a, ua, ago(2 * DAY), ago(2 * DAY - 300_000), null),
        // Inside the per-account failure window and the grace: its wrong codes still count.
        expiredRecently: await challenge(a, ua, ago(2 * HOUR), ago(2 * HOUR - 300_000), null),
        used: await challenge(a, ua, ago(3 * DAY), ago(3 * DAY - 300_000), ago(3 * DAY - 60_000)),
        live: await challenge(a, ua, ago(60_000), ago(-240_000), null),
        otherExpired: await challenge(b, ub, ago(2 * DAY), ago(2 * DAY - 300_000), null),
      };

      const result = await run('purge-expired-tokens');

      const sessionIds = async (tenant: string) =>
        (
          await t.database.withTenant(tenant, (trx) =>
            trx.selectFrom('sessions').select('id').where('tenant_id', '=', tenant).execute(),
          )
        )
          .map((r) => r.id)
          .sort();
      assert.deepEqual(
        await sessionIds(a),
        [sessions.expiredInGrace, sessions.revokedInGrace, sessions.live].sort(),
      );
      assert.deepEqual(await sessionIds(b), [sessions.otherLive]);
      const tokens = await t.database.withTenant(a, (trx) =>
        trx.selectFrom('refresh_tokens').select('session_id').where('tenant_id', '=', a).execute(),
      );
      assert.deepEqual(
        tokens.map((r) => r.session_id).sort(),
        [sessions.expiredInGrace, sessions.revokedInGrace, sessions.live, sessions.live].sort(),
      );
      const seqs = (
        await t.database.db.selectFrom('revocations').select('seq').where('tenant_id', 'in', [a, b]).execute()
      ).map((r) => Number(r.seq));
      assert.deepEqual(seqs, [revocations.liveA]);
      const challengeHashes = async (tenant: string) =>
        (
          await t.database.withTenant(tenant, (trx) =>
            trx.selectFrom('mfa_challenges').select('token_hash').where('tenant_id', '=', tenant).execute(),
          )
        )
          .map((r) => r.token_hash)
          .sort();
      assert.deepEqual(await challengeHashes(a), [challenges.expiredRecently, challenges.live].sort());
      assert.deepEqual(await challengeHashes(b), []);
      // 4 sessions, their 6 refresh tokens, 2 revocations, 3 challenges.
      assert.equal(result.rows, 15);
    });

    test('purge-used-totp-steps removes only steps that can no longer be replayed, in every tenant', async () => {
      const tenants = [await insertTenant(t.database), await insertTenant(t.database)];
      for (const tenant of tenants) {
        const credential = await insertCredential(t.database, tenant, await insertUser(t.database, tenant));
        await t.database.withTenant(tenant, (trx) =>
          trx
            .insertInto('mfa_used_steps')
            .values([
              { tenant_id: tenant, credential_id: credential, step: 1, expires_at: ago(1000) },
              { tenant_id: tenant, credential_id: credential, step: 2, expires_at: ago(90_000) },
              { tenant_id: tenant, credential_id: credential, step: 3, expires_at: ago(-1000) },
            ])
            .execute(),
        );
      }
      await run('purge-used-totp-steps');
      for (const tenant of tenants) {
        const steps = await t.database.withTenant(tenant, (trx) =>
          trx.selectFrom('mfa_used_steps').select('step').where('tenant_id', '=', tenant).execute(),
        );
        assert.deepEqual(
          steps.map((s) => Number(s.step)),
          [3],
        );
      }
    });

    test('purge-expired-links removes links expired, used or superseded before the grace', async () => {
      const tenant = await insertTenant(t.database);
      const user = await insertUser(t.database, tenant);
      const link = async (name: string, times: { expires: string; used?: string; superseded?: string }) => {
        await t.database.withTenant(tenant, (trx) =>
          trx
            .insertInto('user_tokens')
            .values({
              tenant_id: tenant,
              id: uuidv7(),
              user_id: user,
              purpose: 'verify_email',
              token_hash: name,
              email: 'x@example.test',
              created_at: ago(5 * DAY),
              expires_at: times.expires,
              used_at: times.used ?? null,
              superseded_at: times.superseded ?? null,
            })
            .execute(),
        );
      };
      const future = ago(-DAY);
      await link(`${tenant}-expired`, { expires: ago(2 * DAY) });
      await link(`${tenant}-expired-recently`, { expires: ago(HOUR) });
      await link(`${tenant}-used`, { expires: future, used: ago(2 * DAY) });
      await link(`${tenant}-used-recently`, { expires: future, used: ago(HOUR) });
      await link(`${tenant}-superseded`, { expires: future, superseded: ago(2 * DAY) });
      await link(`${tenant}-live`, { expires: future });
      await run('purge-expired-links');
      const left = await t.database.withTenant(tenant, (trx) =>
        trx.selectFrom('user_tokens').select('token_hash').where('tenant_id', '=', tenant).execute(),
      );
      assert.deepEqual(left.map((r) => r.token_hash.replace(`${tenant}-`, '')).sort(), [
        'expired-recently',
        'live',
        'used-recently',
      ]);
    });

    test('purge-job-runs-and-dead-letters removes only what is past each retention', async () => {
      const mark = uuidv7();
      const jobRun = async (startedAt: string) => {
        const id = uuidv7();
        await t.database.db
          .insertInto('job_runs')
          .values({
            id,
            job: `old-${mark}`,
            trigger: 'schedule',
            status: 'succeeded',
            holder: 'h',
            triggered_by: null,
            started_at: startedAt,
            finished_at: startedAt,
            error: null,
          })
          .execute();
        return id;
      };
      const deadLetter = async (failedAt: string) => {
        const id = uuidv7();
        await t.database.db
          .insertInto('dead_letters')
          .values({
            id,
            consumer: mark,
            event_id: uuidv7(),
            tenant_id: null,
            type: 'user.created',
            body: '{}',
            error: 'x',
            attempts: 6,
            first_attempt_at: failedAt,
            failed_at: failedAt,
          })
          .execute();
        return id;
      };
      const consumed = async (at: string) => {
        const id = uuidv7();
        await t.database.db
          .insertInto('consumed_events')
          .values({ consumer: mark, event_id: id, consumed_at: at })
          .execute();
        return id;
      };
      const event = async (occurred: string, published: string | null) => {
        const id = uuidv7();
        await t.database.db
          .insertInto('outbox')
          .values({
            id,
            tenant_id: null,
            type: mark,
            version: 1,
            payload: toJson({}),
            occurred_at: occurred,
            published_at: published,
          })
          .execute();
        return id;
      };
      const keep = {
        run: await jobRun(ago(29 * DAY)),
        letter: await deadLetter(ago(29 * DAY)),
        consumed: await consumed(ago(29 * DAY)),
        published: await event(ago(6 * DAY), ago(6 * DAY)),
        pending: await event(ago(60 * DAY), null),
      };
      await jobRun(ago(31 * DAY));
      await deadLetter(ago(31 * DAY));
      await consumed(ago(31 * DAY));
      await event(ago(9 * DAY), ago(8 * DAY));
      await run('purge-job-runs-and-dead-letters');
      const ids = async (
        table: 'job_runs' | 'dead_letters' | 'consumed_events' | 'outbox',
        column: string,
        value: string,
      ) => {
        const rows = await t.database.db
          .selectFrom(table)
          .select(table === 'consumed_events' ? 'event_id as id' : 'id')
          .where(column as 'job', '=', value)
          .execute();
        return (rows as { id: string }[]).map((r) => r.id).sort();
      };
      assert.deepEqual(await ids('job_runs', 'job', `old-${mark}`), [keep.run]);
      assert.deepEqual(await ids('dead_letters', 'consumer', mark), [keep.letter]);
      assert.deepEqual(await ids('consumed_events', 'consumer', mark), [keep.consumed]);
      assert.deepEqual(await ids('outbox', 'type', mark), [keep.published, keep.pending].sort());
      // The run doing the purge is kept.
      const runs = await t.database.db
        .selectFrom('job_runs')
        .select('status')
        .where('job', '=', 'purge-job-runs-and-dead-letters')
        .execute();
      assert.deepEqual(
        runs.map((r) => r.status),
        ['succeeded'],
      );
    });
  });
}
