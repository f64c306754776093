import { type DB, type Tx, toJson } from '../db/index.ts';
import { recordInvalidation } from '../events/index.ts';

export interface NewUser {
  id: string;
  email: string;
  emailNormalized: string;
  emailVerified: boolean;
  passwordHash: string | null;
  name: string | null;
  now: string;
}

export type UserRow = DB['users'];

/**
 * How long a user's change notice lives. Every process keeps users in memory for the request path
 * (src/users/user-directory.ts) and reloads a copy older than half of this on its own, so a process
 * that missed a notice never serves past it.
 */
export const USER_CHANGE_NOTICE_SECONDS = 300;

/** Tells every process, from the commit on, that its copy of the user is stale. */
async function noticeChange(trx: Tx, tenantId: string, id: string, now: string): Promise<void> {
  const at = new Date(now);
  const expiresAt = new Date(at.getTime() + USER_CHANGE_NOTICE_SECONDS * 1000).toISOString();
  await recordInvalidation(trx, { tenantId, kind: 'user', subject: id, notBefore: null, expiresAt }, at);
}

export async function insertUser(trx: Tx, tenantId: string, user: NewUser): Promise<void> {
  await trx
    .insertInto('users')
    .values({
      tenant_id: tenantId,
      id: user.id,
      email: user.email,
      email_normalized: user.emailNormalized,
      email_verified: user.emailVerified,
      password_hash: user.passwordHash,
      status: 'active',
      name: user.name,
      given_name: null,
      family_name: null,
      locale: null,
      zoneinfo: null,
      phone_number: null,
      attributes: toJson({}),
      version: 1,
      created_at: user.now,
      updated_at: user.now,
      last_login_at: null,
      password_changed_at: user.passwordHash ? user.now : null,
      deleted_at: null,
      status_reason: null,
    })
    .execute();
}

/** A live (not deleted) user by normalised email. */
export async function findUserByEmail(
  trx: Tx,
  tenantId: string,
  emailNormalized: string,
): Promise<UserRow | undefined> {
  return trx
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email_normalized', '=', emailNormalized)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function findUserById(trx: Tx, tenantId: string, id: string): Promise<UserRow | undefined> {
  return trx
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function recordLogin(
  trx: Tx,
  tenantId: string,
  id: string,
  now: string,
  newHash?: string,
): Promise<void> {
  await trx
    .updateTable('users')
    .set({ last_login_at: now, ...(newHash ? { password_hash: newHash } : {}) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
  await noticeChange(trx, tenantId, id, now);
}

/** A user by id whether deleted or not (for restore). */
export async function findUserByIdAny(trx: Tx, tenantId: string, id: string): Promise<UserRow | undefined> {
  return trx
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export type UserChanges = Partial<
  Pick<
    UserRow,
    | 'email'
    | 'email_normalized'
    | 'email_verified'
    | 'name'
    | 'given_name'
    | 'family_name'
    | 'locale'
    | 'zoneinfo'
    | 'phone_number'
    | 'attributes'
    | 'status'
    | 'status_reason'
    | 'password_hash'
    | 'password_changed_at'
    | 'deleted_at'
  >
>;

/**
 * Applies changes and bumps the version, only if the row still has `expectedVersion` (optimistic
 * concurrency behind `If-Match`). Returns false when someone else changed it first.
 */
export async function updateUser(
  trx: Tx,
  tenantId: string,
  id: string,
  expectedVersion: number,
  changes: UserChanges,
  now: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('users')
    .set((eb) => ({ ...changes, updated_at: now, version: eb('version', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  const updated = Number(result.numUpdatedRows) === 1;
  if (updated) await noticeChange(trx, tenantId, id, now);
  return updated;
}
