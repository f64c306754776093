import type { Clock } from '../clock.ts';
import { type Database, isUniqueViolation, isUuid, type Tx, uuidv7 } from '../db/index.ts';
import { appendEvent, recordInvalidation } from '../events/index.ts';
import { AppError, type CursorKey, ValidationError } from '../http/index.ts';
import { assignRole, recordAuthzChange } from '../roles/index.ts';
import type { TenantSettings } from '../tenants/index.ts';
import type { KeyEncryption } from '../tokens/index.ts';
import { cleanEmail, normalizeEmail } from './email.ts';
import { sealedLink } from './link-events.ts';
import { issueLink } from './link-tokens.ts';
import { IMPORTABLE_HASH, type PasswordHasher } from './password-hasher.ts';
import { assertPasswordAllowed } from './password-policy.ts';
import { profileChanges } from './profile-changes.ts';
import { countUsers, listUsers } from './user-list.ts';
import {
  findUserById,
  findUserByIdAny,
  insertUser,
  type UserChanges,
  type UserRow,
  updateUser,
} from './user-repository.ts';
import type { CreateUserBody, ListUsersQuery, UpdateMeBody, UpdateUserBody } from './user-schemas.ts';
import { etagOf } from './user-view.ts';

export interface UserServiceDeps {
  database: Database;
  clock: Clock;
  hasher: PasswordHasher;
  encryption: KeyEncryption;
  /** Ends a user's sessions inside the caller's transaction (all, or all but `keep`). */
  endSessions(
    trx: Tx,
    tenantId: string,
    userId: string,
    options: { keep?: string; reason: string; actorId: string | null },
  ): Promise<unknown>;
}

export interface TenantContext {
  id: string;
  settings: TenantSettings;
}

export const userNotFound = () => new AppError('IAM_ERR_USER_NOT_FOUND', 'No such user.');
const emailTaken = () => new AppError('IAM_ERR_EMAIL_TAKEN', 'Another user has this email address.');

/** Users as administrators see them: every operation is scoped to one tenant. */
export function createUserService(deps: UserServiceDeps) {
  const { database, clock, hasher, encryption } = deps;
  const tx = <T>(tenantId: string, fn: (trx: Tx) => Promise<T>) => database.withTenant(tenantId, fn);

  async function load(trx: Tx, tenantId: string, id: string): Promise<UserRow> {
    // A malformed id names no user (and never reaches PostgreSQL's uuid cast).
    const row = isUuid(id) ? await findUserById(trx, tenantId, id) : undefined;
    if (!row) throw userNotFound();
    return row;
  }

  /** Sends a verification link to the user's (new) address. */
  async function requestVerification(
    trx: Tx,
    tenant: TenantContext,
    user: Pick<UserRow, 'id' | 'email'>,
    actorId: string | null,
    now: Date,
  ) {
    const link = await issueLink(trx, tenant.id, {
      userId: user.id,
      purpose: 'verify_email',
      email: user.email,
      ttlMinutes: tenant.settings.links.verify_email_ttl_minutes,
      now,
    });
    await appendEvent(
      trx,
      {
        type: 'user.email_verification_requested',
        tenantId: tenant.id,
        payload: {
          tenant_id: tenant.id,
          user_id: user.id,
          email: user.email,
          actor_id: actorId,
          ...sealedLink(encryption, tenant.id, link),
        },
      },
      now,
    );
  }

  /**
   * Saves profile changes under optimistic concurrency. An email change resets verification
   * (unless an administrator vouches for it), sends a link to the new address and tells the old one.
   */
  async function save(
    tenant: TenantContext,
    id: string,
    body: UpdateMeBody & { email_verified?: boolean },
    options: { ifMatch?: string; actorId: string },
  ): Promise<UserRow> {
    const changes: UserChanges = profileChanges(body, tenant.settings);
    const now = clock.now();
    try {
      return await tx(tenant.id, async (trx) => {
        const row = await load(trx, tenant.id, id);
        if (options.ifMatch !== undefined && options.ifMatch !== etagOf(row)) {
          throw new AppError('IAM_ERR_PRECONDITION_FAILED', 'The user changed since it was read.');
        }
        const emailChanged =
          changes.email_normalized !== undefined && changes.email_normalized !== row.email_normalized;
        if (changes.email_normalized !== undefined && !emailChanged) {
          delete changes.email_normalized;
          if (changes.email === row.email) delete changes.email;
        }
        if (body.email_verified !== undefined) changes.email_verified = body.email_verified;
        else if (emailChanged) changes.email_verified = false;
        if (!(await updateUser(trx, tenant.id, id, row.version, changes, now.toISOString()))) {
          throw new AppError('IAM_ERR_PRECONDITION_FAILED', 'The user changed since it was read.');
        }
        const updated = await load(trx, tenant.id, id);
        const base = { tenant_id: tenant.id, user_id: id, email: updated.email, actor_id: options.actorId };
        await appendEvent(
          trx,
          {
            type: 'user.updated',
            tenantId: tenant.id,
            payload: { ...base, fields: Object.keys(changes).filter((f) => f !== 'email_normalized') },
          },
          now,
        );
        if (emailChanged) {
          await appendEvent(
            trx,
            { type: 'user.email_changed', tenantId: tenant.id, payload: { ...base, old_email: row.email } },
            now,
          );
          if (!updated.email_verified) await requestVerification(trx, tenant, updated, options.actorId, now);
        }
        return updated;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
  }

  /** Refuses every token the user holds, on every process, from the commit on. */
  async function cutOffTokens(trx: Tx, tenantId: string, userId: string, now: Date) {
    const expiresAt = new Date(now.getTime() + 86_400_000).toISOString();
    await recordInvalidation(
      trx,
      { tenantId, kind: 'user', subject: userId, notBefore: now.toISOString(), expiresAt },
      now,
    );
    await deps.endSessions(trx, tenantId, userId, { reason: 'account_disabled', actorId: null });
  }

  async function setStatus(
    tenantId: string,
    id: string,
    status: 'active' | 'deactivated',
    reason: string | null,
    actorId: string,
  ) {
    const now = clock.now();
    return tx(tenantId, async (trx) => {
      const row = await load(trx, tenantId, id);
      if (row.status === status) return row;
      await updateUser(trx, tenantId, id, row.version, { status, status_reason: reason }, now.toISOString());
      const payload = { tenant_id: tenantId, user_id: id, email: row.email, actor_id: actorId };
      if (status === 'deactivated') {
        await cutOffTokens(trx, tenantId, id, now);
        await appendEvent(trx, { type: 'user.deactivated', tenantId, payload: { ...payload, reason } }, now);
      } else {
        // Decisions cached while the user was inactive denied everything: drop them.
        await recordAuthzChange(trx, { type: 'user.activated', tenantId, payload }, id, now);
      }
      return load(trx, tenantId, id);
    });
  }

  /**
   * Inserts a user with its `user.created` event; without a password the user is invited to set one,
   * with an unverified address they are sent a verification link.
   */
  async function insertNew(
    trx: Tx,
    tenant: TenantContext,
    user: { email: string; passwordHash: string | null; emailVerified: boolean },
    options: {
      changes?: UserChanges;
      roles?: string[];
      actorId: string | null;
      source: 'admin' | 'onboarding';
      now: Date;
    },
  ): Promise<string> {
    const { email, passwordHash } = user;
    const { now, actorId } = options;
    const id = uuidv7(now.getTime());
    await insertUser(trx, tenant.id, {
      id,
      email,
      emailNormalized: normalizeEmail(email),
      emailVerified: user.emailVerified,
      passwordHash,
      name: null,
      now: now.toISOString(),
    });
    if (options.changes && Object.keys(options.changes).length > 0)
      await updateUser(trx, tenant.id, id, 1, options.changes, now.toISOString());
    for (const role of options.roles ?? []) await assignRole(trx, tenant.id, id, role, now.toISOString());
    const base = { tenant_id: tenant.id, user_id: id, email, actor_id: actorId };
    await appendEvent(
      trx,
      { type: 'user.created', tenantId: tenant.id, payload: { ...base, source: options.source } },
      now,
    );
    if (passwordHash === null) {
      const link = await issueLink(trx, tenant.id, {
        userId: id,
        purpose: 'invite',
        email,
        ttlMinutes: tenant.settings.links.invite_ttl_minutes,
        now,
      });
      await appendEvent(
        trx,
        {
          type: 'user.invited',
          tenantId: tenant.id,
          payload: { ...base, ...sealedLink(encryption, tenant.id, link) },
        },
        now,
      );
    } else if (!user.emailVerified) {
      await requestVerification(trx, tenant, { id, email }, actorId, now);
    }
    return id;
  }

  return {
    requestVerification,
    save,

    /** A new tenant's first administrator, invited inside the transaction that creates the tenant. */
    async inviteAdministrator(trx: Tx, tenant: TenantContext, rawEmail: string, actorId: string | null) {
      const email = cleanEmail(rawEmail);
      await insertNew(
        trx,
        tenant,
        { email, passwordHash: null, emailVerified: false },
        {
          roles: ['admin'],
          actorId,
          source: 'onboarding',
          now: clock.now(),
        },
      );
    },

    /** Administrator creation; without a password the user is invited to set one. */
    async create(tenant: TenantContext, body: CreateUserBody, actorId: string): Promise<UserRow> {
      const email = cleanEmail(body.email);
      if (body.password !== undefined && body.password_hash !== undefined) {
        throw new ValidationError([
          { pointer: '/password_hash', message: 'cannot be sent with password', in: 'body' },
        ]);
      }
      if (body.password_hash !== undefined && !IMPORTABLE_HASH.test(body.password_hash)) {
        throw new ValidationError([
          { pointer: '/password_hash', message: 'must be a bcrypt or argon2id hash', in: 'body' },
        ]);
      }
      if (body.password !== undefined)
        assertPasswordAllowed(body.password, email, tenant.settings.password_policy);
      const changes = profileChanges({ ...body, email: undefined }, tenant.settings);
      const passwordHash =
        body.password === undefined ? (body.password_hash ?? null) : await hasher.hash(body.password);
      const now = clock.now();
      try {
        return await tx(tenant.id, async (trx) => {
          const id = await insertNew(
            trx,
            tenant,
            { email, passwordHash, emailVerified: body.email_verified ?? false },
            {
              changes,
              actorId,
              source: 'admin',
              now,
            },
          );
          return load(trx, tenant.id, id);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw emailTaken();
        throw error;
      }
    },

    get: (tenantId: string, id: string) => tx(tenantId, (trx) => load(trx, tenantId, id)),

    async list(tenantId: string, query: ListUsersQuery, limit: number, after?: CursorKey) {
      return tx(tenantId, async (trx) => ({
        rows: await listUsers(trx, tenantId, query, limit, after),
        total: query.count ? await countUsers(trx, tenantId, query) : undefined,
      }));
    },

    update: (
      tenant: TenantContext,
      id: string,
      body: UpdateUserBody,
      ifMatch: string | undefined,
      actorId: string,
    ) => save(tenant, id, body, { ...(ifMatch !== undefined ? { ifMatch } : {}), actorId }),

    deactivate: (tenantId: string, id: string, reason: string, actorId: string) =>
      setStatus(tenantId, id, 'deactivated', reason, actorId),
    activate: (tenantId: string, id: string, actorId: string) =>
      setStatus(tenantId, id, 'active', null, actorId),

    /** Soft delete: gone from lists, lookups and sign-in at once; restorable until the retention ends. */
    async remove(tenantId: string, id: string, actorId: string, self = false): Promise<void> {
      const now = clock.now();
      await tx(tenantId, async (trx) => {
        const row = await load(trx, tenantId, id);
        await updateUser(
          trx,
          tenantId,
          id,
          row.version,
          { deleted_at: now.toISOString() },
          now.toISOString(),
        );
        await cutOffTokens(trx, tenantId, id, now);
        await appendEvent(
          trx,
          {
            type: 'user.deleted',
            tenantId,
            payload: { tenant_id: tenantId, user_id: id, email: row.email, actor_id: actorId, self },
          },
          now,
        );
      });
    },

    async restore(tenant: TenantContext, id: string, actorId: string): Promise<UserRow> {
      const now = clock.now();
      try {
        return await tx(tenant.id, async (trx) => {
          const row = isUuid(id) ? await findUserByIdAny(trx, tenant.id, id) : undefined;
          if (!row?.deleted_at) throw userNotFound();
          const deadline =
            new Date(row.deleted_at).getTime() + tenant.settings.users.deleted_retention_days * 86_400_000;
          if (now.getTime() > deadline)
            throw new AppError('IAM_ERR_RESTORE_EXPIRED', 'The retention period has passed.');
          await updateUser(trx, tenant.id, id, row.version, { deleted_at: null }, now.toISOString());
          await recordAuthzChange(
            trx,
            {
              type: 'user.restored',
              tenantId: tenant.id,
              payload: { tenant_id: tenant.id, user_id: id, email: row.email, actor_id: actorId },
            },
            id,
            now,
          );
          return load(trx, tenant.id, id);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw emailTaken();
        throw error;
      }
    },

    /**
     * Stores a new password hash after the caller proved the right to (current password, or a link).
     * The hash is computed before the transaction, so no transaction waits on argon2.
     */
    async setPassword(
      trx: Tx,
      tenantId: string,
      row: UserRow,
      hash: string,
      reason: 'change' | 'reset' | 'invitation',
      actorId: string | null,
      keepSession?: string,
    ) {
      const now = clock.now();
      const changes: UserChanges = { password_hash: hash, password_changed_at: now.toISOString() };
      // Following an emailed link proves the address, as verification would.
      if (reason !== 'change') changes.email_verified = true;
      await updateUser(trx, tenantId, row.id, row.version, changes, now.toISOString());
      // Whoever knew the old password loses every session; a change by the user keeps theirs.
      await deps.endSessions(trx, tenantId, row.id, {
        ...(keepSession ? { keep: keepSession } : {}),
        reason: 'password_changed',
        actorId,
      });
      await appendEvent(
        trx,
        {
          type: 'user.password_changed',
          tenantId,
          payload: { tenant_id: tenantId, user_id: row.id, email: row.email, actor_id: actorId, reason },
        },
        now,
      );
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
