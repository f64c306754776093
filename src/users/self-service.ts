import type { Tx } from '../db/index.ts';
import { AppError } from '../http/index.ts';
import { assertPasswordAllowed } from './password-policy.ts';
import { findUserById } from './user-repository.ts';
import type { TenantContext, UserService, UserServiceDeps } from './user-service.ts';

/** What signed-in users do to their own account; sensitive changes need the current password. */
export function createSelfService(
  deps: Omit<UserServiceDeps, 'endSessions'> & {
    users: UserService;
    /** Inside the change's transaction: what the session that changed the password may do now. */
    afterPasswordChange(trx: Tx, tenant: TenantContext, userId: string, sessionId: string): Promise<void>;
  },
) {
  const { database, hasher, users } = deps;

  async function confirmPassword(tenantId: string, userId: string, password: string) {
    const user = await users.get(tenantId, userId);
    const { ok } = user.password_hash ? await hasher.verify(user.password_hash, password) : { ok: false };
    if (!ok) throw new AppError('IAM_ERR_WRONG_PASSWORD', 'The current password is not correct.');
    return user;
  }

  return {
    /** The user, when `password` is their current password; IAM_ERR_WRONG_PASSWORD otherwise. */
    confirmPassword,

    /** Needs the current password; the user's other sessions end, the one making the change stays. */
    async changePassword(
      tenant: TenantContext,
      userId: string,
      sessionId: string,
      current: string,
      next: string,
    ): Promise<void> {
      const user = await confirmPassword(tenant.id, userId, current);
      assertPasswordAllowed(next, user.email, tenant.settings.password_policy, '/new_password');
      const hash = await hasher.hash(next);
      await database.withTenant(tenant.id, async (trx) => {
        const fresh = await findUserById(trx, tenant.id, userId);
        if (!fresh) throw new AppError('IAM_ERR_USER_NOT_FOUND', 'No such user.');
        await users.setPassword(trx, tenant.id, fresh, hash, 'change', userId, sessionId);
        await deps.afterPasswordChange(trx, tenant, userId, sessionId);
      });
    },

    async deleteSelf(tenantId: string, userId: string, password: string): Promise<void> {
      await confirmPassword(tenantId, userId, password);
      await users.remove(tenantId, userId, userId, true);
    },
  };
}

export type SelfService = ReturnType<typeof createSelfService>;
