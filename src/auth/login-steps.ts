import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import { AppError, type RequestTenant } from '../http/index.ts';
import type { TenantSettings } from '../tenants/index.ts';
import type { AccessTokens } from '../tokens/index.ts';
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
  tokens: AccessTokens;
  clock: Clock;
  accessTokenTtlSeconds: number;
}

export interface LoginAttempt {
  tenant: RequestTenant;
  settings: TenantSettings;
  email: string;
  password: string;
  user?: UserRow;
  newHash?: string;
  result?: { access_token: string; token_type: 'Bearer'; expires_in: number };
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

export const issueTokens: LoginStep = async (attempt, { database, tokens, clock, accessTokenTtlSeconds }) => {
  const user = attempt.user;
  if (!user) throw badCredentials();
  const now = clock.now().toISOString();
  await database.withTenant(attempt.tenant.id, (trx) =>
    recordLogin(trx, attempt.tenant.id, user.id, now, attempt.newHash),
  );
  const issued = await tokens.issue({
    tenant: attempt.tenant,
    userId: user.id,
    sessionId: randomUUID(),
    amr: ['pwd'],
    ttlSeconds: accessTokenTtlSeconds,
  });
  attempt.result = { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn };
};

/** The password login, step by step; each step may refuse with a problem. */
export const PASSWORD_LOGIN: readonly LoginStep[] = [
  findAccount,
  verifyPassword,
  checkAccountActive,
  checkEmailVerified,
  issueTokens,
];

export async function runSteps(
  steps: readonly LoginStep[],
  attempt: LoginAttempt,
  deps: LoginDeps,
): Promise<void> {
  for (const step of steps) await step(attempt, deps);
}
