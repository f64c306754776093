// Bulk-inserts expired rows for the purge benchmark: one INSERT … SELECT per table over a generated
// series, run by the schema owner (PostgreSQL row-level security does not slow the seeding down).
import { sql } from 'kysely';
import { type Database, toJson, uuidv7 } from '../../src/db/index.ts';

export interface SeedPlan {
  revocations: number;
  sessions: number;
  mfaUsedSteps: number;
  userTokens: number;
  mfaChallenges: number;
  deadLetters: number;
  outbox: number;
}

/** Shares of `total` rows per table; each session also gets one refresh token. */
export function planFor(total: number): SeedPlan {
  const share = (f: number) => Math.round(total * f);
  return {
    revocations: share(0.2),
    sessions: share(0.15),
    mfaUsedSteps: share(0.15),
    userTokens: share(0.1),
    mfaChallenges: share(0.05),
    deadLetters: share(0.1),
    outbox: share(0.1),
  };
}

export const planRows = (p: SeedPlan) =>
  p.revocations + 2 * p.sessions + p.mfaUsedSteps + p.userTokens + p.mfaChallenges + p.deadLetters + p.outbox;

/** Seeds the plan into a new tenant (with one user and one authenticator); returns the tenant id. */
export async function seedExpired(owner: Database, plan: SeedPlan, now: Date): Promise<string> {
  const pg = owner.dialect === 'postgres';
  const tenant = uuidv7();
  const user = uuidv7();
  const credential = uuidv7();
  const expired = new Date(now.getTime() - 10 * 86_400_000).toISOString();
  const old = new Date(now.getTime() - 40 * 86_400_000).toISOString();
  const at = pg ? sql`${old}::timestamptz` : sql`${old}`;
  const exp = pg ? sql`${expired}::timestamptz` : sql`${expired}`;
  const t = pg ? sql`${tenant}::uuid` : sql`${tenant}`;
  const u = pg ? sql`${user}::uuid` : sql`${user}`;
  const newId = sql.raw(pg ? 'gen_random_uuid()' : 'lower(hex(randomblob(16)))');
  // `n(g)` holds 1…count: generate_series on PostgreSQL, a recursive CTE on SQLite.
  const series = (count: number, insert: ReturnType<typeof sql>) =>
    pg
      ? sql`WITH n(g) AS (SELECT generate_series(1, ${count}::int)) ${insert}`
      : sql`WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < ${count}) ${insert}`;

  await owner.db
    .insertInto('tenants')
    .values({
      id: tenant,
      slug: `bench-${tenant.slice(-8)}`,
      display_name: 'Purge benchmark',
      status: 'active',
      settings: toJson({}),
      created_at: old,
      updated_at: old,
      deleted_at: null,
    })
    .execute();
  await sql`INSERT INTO users (tenant_id, id, email, email_normalized, email_verified, password_hash, status,
      attributes, version, created_at, updated_at)
    VALUES (${t}, ${u}, 'bench@example.test', 'bench@example.test', ${pg ? sql`true` : sql`1`}, NULL, 'active',
      ${toJson({})}, 1, ${at}, ${at})`.execute(owner.db);
  await sql`INSERT INTO mfa_credentials (tenant_id, id, user_id, kind, status, secret_sealed, created_at)
    VALUES (${t}, ${pg ? sql`${credential}::uuid` : sql`${credential}`}, ${u}, 'totp', 'active', 'sealed', ${at})`.execute(
    owner.db,
  );
  const run = (count: number, insert: ReturnType<typeof sql>) => series(count, insert).execute(owner.db);
  await run(
    plan.revocations,
    sql`INSERT INTO revocations (tenant_id, kind, subject, not_before, expires_at, created_at)
      SELECT ${t}, 'token', 'jti-' || g, NULL, ${exp}, ${at} FROM n`,
  );
  await run(
    plan.sessions,
    sql`INSERT INTO sessions (tenant_id, id, user_id, amr, created_at, last_used_at, idle_expires_at, expires_at)
      SELECT ${t}, ${newId}, ${u}, '["pwd"]', ${at}, ${at}, ${exp}, ${exp} FROM n`,
  );
  await sql`INSERT INTO refresh_tokens (tenant_id, token_hash, session_id, created_at)
    SELECT tenant_id, 'rt-' || id, id, created_at FROM sessions WHERE tenant_id = ${t}`.execute(owner.db);
  await run(
    plan.mfaUsedSteps,
    sql`INSERT INTO mfa_used_steps (tenant_id, credential_id, step, expires_at)
      SELECT ${t}, ${pg ? sql`${credential}::uuid` : sql`${credential}`}, g, ${exp} FROM n`,
  );
  await run(
    plan.userTokens,
    sql`INSERT INTO user_tokens (tenant_id, id, user_id, purpose, token_hash, email, created_at, expires_at)
      SELECT ${t}, ${newId}, ${u}, 'verify_email', 'ut-' || g, 'bench@example.test', ${at}, ${exp} FROM n`,
  );
  await run(
    plan.mfaChallenges,
    sql`INSERT INTO mfa_challenges (tenant_id, token_hash, user_id, amr, created_at, expires_at)
      SELECT ${t}, 'ch-' || g, ${u}, '["pwd"]', ${at}, ${at} FROM n`,
  );
  await run(
    plan.deadLetters,
    sql`INSERT INTO dead_letters (id, consumer, event_id, tenant_id, type, body, error, attempts, first_attempt_at, failed_at)
      SELECT ${newId}, 'bench', NULL, ${t}, 'user.created', '{}', 'smtp down', 6, ${at}, ${at} FROM n`,
  );
  await run(
    plan.outbox,
    sql`INSERT INTO outbox (id, tenant_id, type, version, payload, occurred_at, published_at)
      SELECT ${newId}, ${t}, 'user.created', 1, '{}', ${at}, ${at} FROM n`,
  );
  // Fresh statistics, as autovacuum would have gathered for tables this size.
  await sql`ANALYZE`.execute(owner.db);
  return tenant;
}
