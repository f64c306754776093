import { isUniqueViolation, uuidv7 } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError } from '../http/index.ts';
import { assignRole } from '../roles/index.ts';
import { cleanEmail, normalizeEmail } from './email.ts';
import { sealedLink } from './link-events.ts';
import { consumeLink, issueLink, type LinkPurpose, peekLink } from './link-tokens.ts';
import { assertPasswordAllowed } from './password-policy.ts';
import { profileChanges } from './profile-changes.ts';
import { findUserByEmail, findUserById, insertUser, updateUser } from './user-repository.ts';
import type { RegisterBody } from './user-schemas.ts';
import type { TenantContext, UserService, UserServiceDeps } from './user-service.ts';

export interface AccountServiceDeps extends Omit<UserServiceDeps, 'endSessions'> {
  users: UserService;
  /** Where failures of work done after answering are reported. */
  onBackgroundError: (error: unknown) => void;
}

/** Work that must not change the response time (which would tell whether an address exists). */
export interface Deferred {
  done: Promise<void>;
}

/** Self-service account flows that need no session: registration and the emailed links. */
export function createAccountService(deps: AccountServiceDeps) {
  const { database, clock, hasher, encryption, users } = deps;

  function defer(work: () => Promise<void>): Deferred {
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch(deps.onBackgroundError);
    return { done };
  }

  /** Sets a password through an emailed link: checked first, hashed outside the transaction, applied once. */
  async function setPasswordByLink(
    tenant: TenantContext,
    purpose: LinkPurpose,
    token: string,
    password: string,
    reason: 'reset' | 'invitation',
  ) {
    const peeked = await database.withTenant(tenant.id, async (trx) => {
      const link = await peekLink(trx, tenant.id, purpose, token, clock.now());
      const user = await findUserById(trx, tenant.id, link.userId);
      if (!user) throw new AppError('IAM_ERR_LINK_INVALID', 'The link is not valid.');
      return user;
    });
    assertPasswordAllowed(password, peeked.email, tenant.settings.password_policy);
    const hash = await hasher.hash(password);
    await database.withTenant(tenant.id, async (trx) => {
      const link = await consumeLink(trx, tenant.id, purpose, token, clock.now());
      const user = await findUserById(trx, tenant.id, link.userId);
      if (!user) throw new AppError('IAM_ERR_LINK_INVALID', 'The link is not valid.');
      // A reset link also ends every other way in that a thief of the old password may hold.
      await users.setPassword(trx, tenant.id, user, hash, reason, user.id);
    });
  }

  return {
    /**
     * Registration answers the same whether or not the address already has an account: the owner of
     * an existing account is told by email instead, and the password is hashed on both paths.
     */
    async register(tenant: TenantContext, body: RegisterBody): Promise<void> {
      if (!tenant.settings.registration.enabled)
        throw new AppError('IAM_ERR_REGISTRATION_DISABLED', 'Registration is closed.');
      const email = cleanEmail(body.email);
      assertPasswordAllowed(body.password, email, tenant.settings.password_policy);
      const changes = profileChanges({ ...body, email: undefined }, tenant.settings);
      const hash = await hasher.hash(body.password);
      const now = clock.now();
      try {
        await database.withTenant(tenant.id, async (trx) => {
          const existing = await findUserByEmail(trx, tenant.id, normalizeEmail(email));
          if (existing) {
            const payload = {
              tenant_id: tenant.id,
              user_id: existing.id,
              email: existing.email,
              actor_id: null,
            };
            await appendEvent(
              trx,
              { type: 'user.registration_existing_email', tenantId: tenant.id, payload },
              now,
            );
            return;
          }
          const id = uuidv7(now.getTime());
          await insertUser(trx, tenant.id, {
            id,
            email,
            emailNormalized: normalizeEmail(email),
            emailVerified: false,
            passwordHash: hash,
            name: null,
            now: now.toISOString(),
          });
          if (Object.keys(changes).length > 0)
            await updateUser(trx, tenant.id, id, 1, changes, now.toISOString());
          // Self-service is what registering is for: the system role `user` (own profile, password,
          // sessions and MFA); anything more is an administrator's to give.
          await assignRole(trx, tenant.id, id, 'user', now.toISOString());
          await appendEvent(
            trx,
            {
              type: 'user.registered',
              tenantId: tenant.id,
              payload: { tenant_id: tenant.id, user_id: id, email, actor_id: id },
            },
            now,
          );
          await users.requestVerification(trx, tenant, { id, email }, id, now);
        });
      } catch (error) {
        // Registered concurrently by someone else: the same answer as for an existing address.
        if (!isUniqueViolation(error)) throw error;
      }
    },

    async verifyEmail(tenant: TenantContext, token: string): Promise<void> {
      const now = clock.now();
      await database.withTenant(tenant.id, async (trx) => {
        const link = await consumeLink(trx, tenant.id, 'verify_email', token, now);
        const user = await findUserById(trx, tenant.id, link.userId);
        // A link for an address the user no longer has proves nothing about the current one.
        if (!user || user.email_normalized !== normalizeEmail(link.email))
          throw new AppError('IAM_ERR_LINK_INVALID', 'The link is not valid.');
        await updateUser(trx, tenant.id, user.id, user.version, { email_verified: true }, now.toISOString());
        await appendEvent(
          trx,
          {
            type: 'user.email_verified',
            tenantId: tenant.id,
            payload: { tenant_id: tenant.id, user_id: user.id, email: user.email, actor_id: user.id },
          },
          now,
        );
      });
    },

    resendVerification(tenant: TenantContext, email: string): Deferred {
      return defer(async () => {
        await database.withTenant(tenant.id, async (trx) => {
          const user = await findUserByEmail(trx, tenant.id, normalizeEmail(email));
          if (!user || user.email_verified === true || user.email_verified === 1) return;
          await users.requestVerification(trx, tenant, user, null, clock.now());
        });
      });
    },

    forgotPassword(tenant: TenantContext, email: string): Deferred {
      return defer(async () => {
        const now = clock.now();
        await database.withTenant(tenant.id, async (trx) => {
          const user = await findUserByEmail(trx, tenant.id, normalizeEmail(email));
          if (user?.status !== 'active') return;
          const link = await issueLink(trx, tenant.id, {
            userId: user.id,
            purpose: 'reset_password',
            email: user.email,
            ttlMinutes: tenant.settings.links.reset_password_ttl_minutes,
            now,
          });
          const payload = {
            tenant_id: tenant.id,
            user_id: user.id,
            email: user.email,
            actor_id: null,
            ...sealedLink(encryption, tenant.id, link),
          };
          await appendEvent(
            trx,
            { type: 'user.password_reset_requested', tenantId: tenant.id, payload },
            now,
          );
        });
      });
    },

    resetPassword: (tenant: TenantContext, token: string, password: string) =>
      setPasswordByLink(tenant, 'reset_password', token, password, 'reset'),
    acceptInvitation: (tenant: TenantContext, token: string, password: string) =>
      setPasswordByLink(tenant, 'invite', token, password, 'invitation'),
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
