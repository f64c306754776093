import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { type Database, type DB, spendOnce, type Tx, toJson } from '../db/index.ts';
import type { SessionRestriction } from '../http/index.ts';

export type SessionRow = DB['sessions'];

/** The earlier of two ISO 8601 UTC instants (they compare as text). */
const earlier = (a: string, b: string) => (a < b ? a : b);

/** When a session ends unless used again: its idle deadline or its absolute one, whichever is first. */
export const sessionEnd = (s: Pick<SessionRow, 'idle_expires_at' | 'expires_at'>) =>
  earlier(s.idle_expires_at, s.expires_at);

/** Refresh tokens carry 256 random bits, so SHA-256 is enough to store them safely. */
export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function insertSession(trx: Tx, row: SessionRow): Promise<void> {
  await trx
    .insertInto('sessions')
    .values({ ...row, amr: toJson(row.amr) })
    .execute();
}

export async function insertRefreshToken(
  trx: Tx,
  tenantId: string,
  sessionId: string,
  token: string,
  now: string,
): Promise<void> {
  await trx
    .insertInto('refresh_tokens')
    .values({
      tenant_id: tenantId,
      token_hash: hashRefreshToken(token),
      session_id: sessionId,
      created_at: now,
      used_at: null,
    })
    .execute();
}

// What a refresh needs of a token, its session and its user (deactivated or deleted ends refresh);
// the PostgreSQL rotation function returns the same columns.
const REFRESH_COLUMNS = [
  'users.status as user_status',
  'users.deleted_at as user_deleted_at',
  'refresh_tokens.token_hash',
  'refresh_tokens.used_at',
  'sessions.id as session_id',
  'sessions.user_id',
  'sessions.amr',
  'sessions.restriction',
  'sessions.revoked_at',
  'sessions.idle_expires_at',
  'sessions.expires_at',
] as const;

export async function findRefreshToken(trx: Tx, tenantId: string, token: string) {
  return trx
    .selectFrom('refresh_tokens')
    .innerJoin('sessions', (j) =>
      j
        .onRef('sessions.tenant_id', '=', 'refresh_tokens.tenant_id')
        .onRef('sessions.id', '=', 'refresh_tokens.session_id'),
    )
    .innerJoin('users', (j) =>
      j.onRef('users.tenant_id', '=', 'sessions.tenant_id').onRef('users.id', '=', 'sessions.user_id'),
    )
    .select(REFRESH_COLUMNS)
    .where('refresh_tokens.tenant_id', '=', tenantId)
    .where('refresh_tokens.token_hash', '=', hashRefreshToken(token))
    .executeTakeFirst();
}

type RefreshRow = NonNullable<Awaited<ReturnType<typeof findRefreshToken>>>;

/** Whether a spent token's session and user still allow a refresh at `now`. */
export const refreshAllowed = (row: RefreshRow, now: string) =>
  row.revoked_at === null &&
  row.expires_at > now &&
  row.idle_expires_at > now &&
  row.user_status === 'active' &&
  row.user_deleted_at === null;

export interface Rotation {
  tenantId: string;
  /** The presented token, and the one that replaces it. */
  token: string;
  next: string;
  now: string;
  /** The session's new idle deadline (never past its absolute one). */
  idleUntil: string;
}

/**
 * Spends an unspent refresh token and, when its session and user still allow it (`refreshAllowed`),
 * stores the next token and moves the session's idle deadline, all in one transaction. Returns the
 * spent token with its session and user; undefined when the token is unknown or was already spent (a
 * concurrent or replayed use: `findRefreshToken` tells which). On PostgreSQL the function of
 * migration 10 does it in one round trip; SQLite, in process, takes the same steps one by one.
 */
export async function rotateRefreshToken(database: Database, r: Rotation): Promise<RefreshRow | undefined> {
  if (database.dialect === 'postgres') {
    const result = await sql<RefreshRow>`SELECT * FROM rotate_refresh_token(${r.tenantId}, ${hashRefreshToken(
      r.token,
    )}, ${hashRefreshToken(r.next)}, ${r.now}, ${r.idleUntil})`.execute(database.db);
    return result.rows[0];
  }
  return database.withTenant(r.tenantId, async (trx) => {
    const found = await findRefreshToken(trx, r.tenantId, r.token);
    if (!found || found.used_at !== null) return undefined;
    const key = { tenant_id: r.tenantId, token_hash: found.token_hash };
    if (!(await spendOnce(trx, 'refresh_tokens', key, r.now))) return undefined;
    if (refreshAllowed(found, r.now)) {
      await insertRefreshToken(trx, r.tenantId, found.session_id, r.next, r.now);
      await touchSession(trx, r.tenantId, found.session_id, r.now, earlier(r.idleUntil, found.expires_at));
    }
    return { ...found, used_at: r.now };
  });
}

async function touchSession(
  trx: Tx,
  tenantId: string,
  sessionId: string,
  now: string,
  idleExpiresAt: string,
): Promise<void> {
  await trx
    .updateTable('sessions')
    .set({ last_used_at: now, idle_expires_at: idleExpiresAt })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sessionId)
    .execute();
}

/** Live sessions of a user (not revoked, not expired), newest first. */
export async function listLiveSessions(
  trx: Tx,
  tenantId: string,
  userId: string,
  now: string,
): Promise<SessionRow[]> {
  return trx
    .selectFrom('sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('idle_expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Marks sessions revoked and returns the ids that were live. */
export async function markRevoked(
  trx: Tx,
  tenantId: string,
  sessionIds: string[],
  reason: string,
  now: string,
): Promise<string[]> {
  if (sessionIds.length === 0) return [];
  const rows = await trx
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', sessionIds)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Changes what a session may do once a condition is met (the factor enrolled, the password changed):
 * its next refresh issues tokens with the new restriction (none) and methods.
 */
export async function setSessionRestriction(
  trx: Tx,
  tenantId: string,
  sessionId: string,
  restriction: SessionRestriction | null,
  amr?: readonly string[],
): Promise<void> {
  await trx
    .updateTable('sessions')
    .set({ restriction, ...(amr ? { amr: toJson(amr) } : {}) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sessionId)
    .execute();
}
