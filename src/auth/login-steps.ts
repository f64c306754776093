import type { Clock } from '../clock.ts';
import type { Database, Tx } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError, type RequestTenant } from '../http/index.ts';
import { hasActiveFactor, type MfaChallengeResponse, type MfaLogin } from '../mfa/index.ts';
import type { TenantSettings } from '../tenants/index.ts';
import type { ClientInfo, SessionService, TokenResponse } from '../tokens/index.ts';
import {
  findUserByEmail,
  normalizeEmail,
  type PasswordHasher,
  passwordExpired,
  recordLogin,
  type UserRow,
} from '../users/index.ts';
import type { GuardSubject, LoginGuards } from './login-guards.ts';

export interface LoginDeps {
  database: Database;
  hasher: PasswordHasher;
  sessions: SessionService;
  mfa: MfaLogin;
  guards: LoginGuards;
  clock: Clock;
}

export interface LoginAttempt {
  tenant: RequestTenant;
  settings: TenantSettings;
  email: string;
  password: string;
  /** A captcha solution, needed once failures reached the tenant's threshold. */
  captcha?: string;
  client: ClientInfo;
  user?: UserRow;
  newHash?: string;
  /** Whether the user has a confirmed second factor (read with the account, when the tenant uses MFA). */
  hasFactor?: boolean;
  /** `challenge`: ask for the second factor; `enrol`: the tenant requires one the user lacks. */
  secondFactor?: 'challenge' | 'enrol';
  result?: TokenResponse | MfaChallengeResponse;
}

export type LoginStep = (attempt: LoginAttempt, deps: LoginDeps) => Promise<void>;

// One answer for every way a login can fail, so the response never tells which part was wrong.
const badCredentials = () =>
  new AppError('IAM_ERR_INVALID_CREDENTIALS', 'The email or password is incorrect.');

const guarded = (attempt: LoginAttempt): GuardSubject => ({
  tenantId: attempt.tenant.id,
  email: attempt.email,
  ip: attempt.client.ip,
});

export const checkPasswordLoginEnabled: LoginStep = async (attempt) => {
  if (!attempt.settings.login.password_enabled)
    throw new AppError('IAM_ERR_PASSWORD_LOGIN_DISABLED', 'This tenant does not allow password sign-in.');
};

/** The captcha when failures call for one, then the lockout (login-guards.ts). */
export const admitAttempt: LoginStep = async (attempt, { guards }) => {
  await guards.admit(guarded(attempt), attempt.settings, attempt.captcha);
};

export const findAccount: LoginStep = async (attempt, { database }) => {
  const email = normalizeEmail(attempt.email);
  const tenantId = attempt.tenant.id;
  await database.withTenant(tenantId, async (trx) => {
    attempt.user = await findUserByEmail(trx, tenantId, email);
    if (attempt.user && attempt.settings.mfa !== 'disabled')
      attempt.hasFactor = await hasActiveFactor(trx, tenantId, attempt.user.id);
  });
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

/** The tenant's MFA mode decides whether the password is enough, a code is due, or enrolment is. */
export const requireSecondFactor: LoginStep = async (attempt) => {
  if (!attempt.user || attempt.settings.mfa === 'disabled') return;
  if (attempt.hasFactor) attempt.secondFactor = 'challenge';
  else if (attempt.settings.mfa === 'required') attempt.secondFactor = 'enrol';
};

export const issueTokens: LoginStep = async (attempt, { sessions, mfa, guards, clock }) => {
  const user = attempt.user;
  if (!user) throw badCredentials();
  await guards.succeeded(guarded(attempt));
  const now = clock.now().toISOString();
  const tenant = { ...attempt.tenant, settings: attempt.settings };
  // An expired password restricts the session to changing it, before anything else (enrolment too).
  const restriction = passwordExpired(user, attempt.settings, clock.now())
    ? 'password_change'
    : attempt.secondFactor === 'enrol'
      ? 'mfa_enrollment'
      : null;
  // last_login_at (and an upgraded hash) commit with the session or the challenge, in one transaction.
  const recordSignIn = (trx: Tx) => recordLogin(trx, tenant.id, user.id, now, attempt.newHash);
  attempt.result =
    attempt.secondFactor === 'challenge'
      ? await mfa.challenge(tenant, user, attempt.client, recordSignIn)
      : await sessions.start(tenant, user.id, ['pwd'], attempt.client, restriction, recordSignIn);
};

/** The password login, step by step; each step may refuse with a problem. */
export const PASSWORD_LOGIN: readonly LoginStep[] = [
  checkPasswordLoginEnabled,
  admitAttempt,
  findAccount,
  verifyPassword,
  checkAccountActive,
  checkEmailVerified,
  requireSecondFactor,
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
      await deps.guards.failed(guarded(attempt), attempt.settings);
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
