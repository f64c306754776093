// Shared by the job tests: a fixed clock, a scheduler on a scratch database, and rows inserted
// directly (times relative to the clock) so each test states exactly what exists before a run.
import { pino } from 'pino';
import type { Clock } from '../../src/clock.ts';
import { type Database, toJson, uuidv7 } from '../../src/db/index.ts';
import { createJobScheduler, type JobDefinition, type JobScheduler } from '../../src/jobs/index.ts';
import type { TestDatabase } from '../events/queue-support.ts';

export const NOW = new Date('2031-03-01T12:00:00.000Z');
export const clock: Clock = { now: () => NOW };

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** `ms` before (negative: after) the test clock's now, as stored. */
export const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

export const silentLog = pino({ level: 'silent' });

export function schedulerFor(
  t: TestDatabase,
  options: {
    database?: Database;
    jobs?: JobDefinition[];
    config?: Partial<TestDatabase['config']>;
    holder?: string;
    renewEveryMs?: number;
  } = {},
): JobScheduler {
  return createJobScheduler({
    database: options.database ?? t.database,
    clock,
    config: { ...t.config, JOBS_ENABLED: false, ...options.config },
    log: silentLog,
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.holder ? { holder: options.holder } : {}),
    ...(options.renewEveryMs ? { renewEveryMs: options.renewEveryMs } : {}),
  });
}

export async function insertTenant(
  database: Database,
  options: { status?: 'active' | 'suspended' | 'deleted'; deletedAt?: string; settings?: object } = {},
): Promise<string> {
  const id = uuidv7();
  await database.db
    .insertInto('tenants')
    .values({
      id,
      slug: `t-${id.slice(-12)}`,
      display_name: 'Test tenant',
      status: options.status ?? 'active',
      settings: toJson(options.settings ?? {}),
      created_at: ago(400 * DAY),
      updated_at: ago(400 * DAY),
      deleted_at: options.deletedAt ?? null,
    })
    .execute();
  return id;
}

export async function insertUser(
  database: Database,
  tenantId: string,
  options: {
    deletedAt?: string;
    createdAt?: string;
    passwordChangedAt?: string | null;
    password?: boolean;
  } = {},
): Promise<string> {
  const id = uuidv7();
  const created = options.createdAt ?? ago(300 * DAY);
  await database.withTenant(tenantId, (trx) =>
    trx
      .insertInto('users')
      .values({
        tenant_id: tenantId,
        id,
        email: `${id}@example.test`,
        email_normalized: `${id}@example.test`,
        email_verified: true,
        password_hash: options.password === false ? null : '$argon2id$placeholder',
        status: 'active',
        name: null,
        given_name: null,
        family_name: null,
        locale: null,
        zoneinfo: null,
        phone_number: null,
        attributes: toJson({}),
        version: 1,
        created_at: created,
        updated_at: created,
        last_login_at: null,
        password_changed_at: options.passwordChangedAt === undefined ? created : options.passwordChangedAt,
        deleted_at: options.deletedAt ?? null,
        status_reason: null,
      })
      .execute(),
  );
  return id;
}

export async function insertSession(
  database: Database,
  tenantId: string,
  userId: string,
  times: { expiresAt: string; idleExpiresAt?: string; revokedAt?: string | null },
  refreshTokens = 1,
): Promise<string> {
  const id = uuidv7();
  await database.withTenant(tenantId, async (trx) => {
    await trx
      .insertInto('sessions')
      .values({
        tenant_id: tenantId,
        id,
        user_id: userId,
        amr: toJson(['pwd']),
        user_agent: null,
        ip: null,
        created_at: ago(40 * DAY),
        last_used_at: ago(40 * DAY),
        idle_expires_at: times.idleExpiresAt ?? times.expiresAt,
        expires_at: times.expiresAt,
        revoked_at: times.revokedAt ?? null,
        revoked_reason: times.revokedAt ? 'logout' : null,
        restriction: null,
      })
      .execute();
    for (let i = 0; i < refreshTokens; i++) {
      await trx
        .insertInto('refresh_tokens')
        .values({
          tenant_id: tenantId,
          token_hash: `${id}-${i}`,
          session_id: id,
          created_at: ago(DAY),
          used_at: null,
        })
        .execute();
    }
  });
  return id;
}

export async function insertCredential(
  database: Database,
  tenantId: string,
  userId: string,
): Promise<string> {
  const id = uuidv7();
  await database.withTenant(tenantId, (trx) =>
    trx
      .insertInto('mfa_credentials')
      .values({
        tenant_id: tenantId,
        id,
        user_id: userId,
        kind: 'totp',
        status: 'active',
        secret_sealed: 'sealed',
        created_at: ago(DAY),
        confirmed_at: ago(DAY),
      })
      .execute(),
  );
  return id;
}

/** Rows of a table for one tenant (inside its row-level security scope). */
export async function countTenantRows(
  database: Database,
  tenantId: string,
  table: 'users' | 'sessions' | 'refresh_tokens' | 'mfa_used_steps' | 'mfa_challenges' | 'user_tokens',
): Promise<number> {
  const row = await database.withTenant(tenantId, (trx) =>
    trx
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow(),
  );
  return Number(row.n);
}
