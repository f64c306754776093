import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError, type RequestTenant } from '../http/index.ts';
import type { TenantSettings } from '../tenants/index.ts';
import type { ClientInfo, SessionService, TokenResponse } from '../tokens/index.ts';
import {
  findUserByEmail,
  normalizeEmail,
  type PasswordHasher,
  recordLogin,
  type UserRow,
} from '../users/index.ts';

export interface LoginDeps {
  database: Database;
  hasher: PasswordHasher;
  sessions: SessionService;
  clock: Clock;
}

export interface LoginAttempt {
  tenant: RequestTenant;
  settings: TenantSettings;
  email: string;
  password: string;
  client: ClientInfo;
  user?: UserRow;
  newHash?: string;
  result?: TokenResponse;
}

export type LoginStep = (attempt: LoginAttempt, deps: LoginDeps) => Promise<void>;

// One answer for every way a login can fail, so the response never tells which part was wrong.
const badCredentials = () =>
  new AppError('IAM_ERR_INVALID_CREDENTIALS', 'The email or password is incorrect.');

export const findAccount: LoginStep = async (attempt, { database }) => {
  const email = normalizeEmail(attempt.email);
  attempt.user = await database.withTenant(attempt.tenant.id, (trx) =>
    findUserByEmail(trx, attempt.tenant.id, email),
  );
};

export const verifyPassword: LoginStep = async (attempt, { hasher }) => {
  const stored = attempt.user?.password_hash;
  if (!stored) {
    // Unknown account or no password set: spend the time a real check takes (no timing oracle).
    await hasher.verifyDummy(attempt.password);
    throw badCredentials();
  }
  const { ok, needsRehash } = await hasher.verify(stored, attempt.password);
  if (!ok) throw badCredentials();
  if (needsRehash) attempt.newHash = await hasher.hash(attempt.password);
};

export const checkAccountActive: LoginStep = async (attempt) => {
  if (attempt.user?.status !== 'active') throw badCredentials();
};

export const checkEmailVerified: LoginStep = async (attempt) => {
  const verified = attempt.user?.email_verified === true || attempt.user?.email_verified === 1;
  if (attempt.settings.login.require_verified_email && !verified) throw badCredentials();
};

export const issueTokens: LoginStep = async (attempt, { database, sessions, clock }) => {
  const user = attempt.user;
  if (!user) throw badCredentials();
  const now = clock.now().toISOString();
  await database.withTenant(attempt.tenant.id, (trx) =>
    recordLogin(trx, attempt.tenant.id, user.id, now, attempt.newHash),
  );
  attempt.result = await sessions.start(
    { ...attempt.tenant, settings: attempt.settings },
    user.id,
    ['pwd'],
    attempt.client,
  );
};

/** The password login, step by step; each step may refuse with a problem. */
export const PASSWORD_LOGIN: readonly LoginStep[] = [
  findAccount,
  verifyPassword,
  checkAccountActive,
  checkEmailVerified,
  issueTokens,
];

/**
 * Runs the steps; a refused sign-in is recorded (`user.login_failed`) before the one generic problem
 * goes back, on every path alike so the timing does not tell them apart.
 */
export async function runSteps(
  steps: readonly LoginStep[],
  attempt: LoginAttempt,
  deps: LoginDeps,
): Promise<void> {
  try {
    for (const step of steps) await step(attempt, deps);
  } catch (error) {
    if (error instanceof AppError && error.code === 'IAM_ERR_INVALID_CREDENTIALS') {
      const tenantId = attempt.tenant.id;
      const payload = {
        tenant_id: tenantId,
        user_id: attempt.user?.id ?? null,
        ip: attempt.client.ip,
        user_agent: attempt.client.userAgent,
      };
      await deps.database.withTenant(tenantId, (trx) =>
        appendEvent(trx, { type: 'user.login_failed', tenantId, payload }, deps.clock.now()),
      );
    }
    throw error;
  }
}
