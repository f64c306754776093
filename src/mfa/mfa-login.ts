import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { type Database, fromJson, spendOnce, type Tx } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError } from '../http/index.ts';
import type { ClientInfo, KeyEncryption, SessionService, TokenResponse } from '../tokens/index.ts';
import { findUserById, passwordExpired, type UserRow } from '../users/index.ts';
import { checkAnswer, type FactorAnswer } from './code-check.ts';
import {
  countUnusedRecoveryCodes,
  findChallenge,
  findCredential,
  insertChallenge,
  recentFailures,
  recordChallengeFailure,
} from './mfa-repository.ts';
import type { MfaTenant } from './mfa-service.ts';

/** The second step's lifetime: long enough to open an app and type six digits. */
export const MFA_TOKEN_TTL_SECONDS = 300;

export interface MfaChallengeResponse {
  mfa_required: true;
  mfa_token: string;
  methods: string[];
  expires_in: number;
}

export interface MfaLoginDeps {
  database: Database;
  clock: Clock;
  encryption: KeyEncryption;
  sessions: SessionService;
  window: number;
  tokenMaxFailures: number;
  userMaxFailures: number;
  userFailureWindowSeconds: number;
}

// The mfa_token carries 256 random bits, so SHA-256 is enough to store it; it is opaque, not a JWT,
// so it cannot be presented as a bearer token anywhere: its only use is `verify:mfa`.
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const tokenInvalid = () =>
  new AppError('IAM_ERR_MFA_TOKEN_INVALID', 'The mfa_token is invalid or expired; sign in again.');

/** The second step of a password sign-in: a single-use challenge, then a code or recovery code. */
export function createMfaLogin(deps: MfaLoginDeps) {
  const { database, clock } = deps;

  return {
    /**
     * Issues the mfa_token for a user whose password was right; bound to that user and attempt.
     * `alsoWrite` adds the caller's own writes of the sign-in to the same transaction.
     */
    async challenge(
      tenant: MfaTenant,
      user: UserRow,
      client: ClientInfo,
      alsoWrite?: (trx: Tx) => Promise<void>,
    ): Promise<MfaChallengeResponse> {
      const now = clock.now();
      const token = randomBytes(32).toString('base64url');
      await database.withTenant(tenant.id, async (trx) => {
        await alsoWrite?.(trx);
        await insertChallenge(trx, {
          tenant_id: tenant.id,
          token_hash: hashToken(token),
          user_id: user.id,
          amr: ['pwd'],
          ip: client.ip,
          user_agent: client.userAgent?.slice(0, 512) ?? null,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + MFA_TOKEN_TTL_SECONDS * 1000).toISOString(),
          used_at: null,
        });
      });
      return {
        mfa_required: true,
        mfa_token: token,
        methods: ['totp', 'recovery_code'],
        expires_in: MFA_TOKEN_TTL_SECONDS,
      };
    },

    /**
     * Completes the sign-in. Wrong answers count against the token (spent at the limit) and the
     * account (verification pauses at its limit); each failure commits before the refusal goes back.
     */
    async verify(
      tenant: MfaTenant,
      mfaToken: string,
      answer: FactorAnswer,
      client: ClientInfo,
    ): Promise<TokenResponse> {
      const now = clock.now();
      const nowIso = now.toISOString();
      const tokenHash = hashToken(mfaToken);
      const challengeKey = { tenant_id: tenant.id, token_hash: tokenHash };
      const outcome = await database.withTenant(tenant.id, async (trx) => {
        // Locked, so that codes sent at once are counted one after the other against the limits.
        const challenge = await findChallenge(trx, tenant.id, tokenHash, {
          forUpdate: database.dialect === 'postgres',
        });
        if (!challenge || challenge.used_at !== null || challenge.expires_at <= nowIso) throw tokenInvalid();
        const user = await findUserById(trx, tenant.id, challenge.user_id);
        if (user?.status !== 'active') throw tokenInvalid();
        // The account's limit spans its challenges: verifications of one user queue on the user row.
        if (database.dialect === 'postgres') {
          await trx
            .selectFrom('users')
            .select('id')
            .where('tenant_id', '=', tenant.id)
            .where('id', '=', user.id)
            .forUpdate()
            .execute();
        }
        const since = new Date(now.getTime() - deps.userFailureWindowSeconds * 1000).toISOString();
        if ((await recentFailures(trx, tenant.id, user.id, since)) >= deps.userMaxFailures) {
          await spendOnce(trx, 'mfa_challenges', challengeKey, nowIso);
          return { error: 'too_many_attempts' as const, user };
        }
        const credential = await findCredential(trx, tenant.id, user.id, 'active');
        if (!credential) throw tokenInvalid();
        const checked = await checkAnswer(trx, deps, credential, answer);
        if (!checked.ok) {
          await recordChallengeFailure(trx, tenant.id, tokenHash, deps.tokenMaxFailures, nowIso);
          return { error: checked.reason, user };
        }
        if (!(await spendOnce(trx, 'mfa_challenges', challengeKey, nowIso))) throw tokenInvalid();
        if (checked.method === 'rc') {
          const remaining = await countUnusedRecoveryCodes(trx, tenant.id, user.id);
          await appendEvent(
            trx,
            {
              type: 'mfa.recovery_code_used',
              tenantId: tenant.id,
              payload: {
                tenant_id: tenant.id,
                user_id: user.id,
                email: user.email,
                actor_id: user.id,
                remaining,
              },
            },
            now,
          );
        }
        return { user, amr: [...fromJson<string[]>(challenge.amr), checked.method] };
      });
      if ('error' in outcome) {
        await database.withTenant(tenant.id, (trx) =>
          appendEvent(
            trx,
            {
              type: 'mfa.verification_failed',
              tenantId: tenant.id,
              payload: {
                tenant_id: tenant.id,
                user_id: outcome.user.id,
                reason: outcome.error,
                ip: client.ip,
              },
            },
            now,
          ),
        );
        if (outcome.error === 'too_many_attempts') {
          throw new AppError(
            'IAM_ERR_MFA_TOO_MANY_ATTEMPTS',
            'Too many wrong codes for this account; wait, then sign in again.',
            { 'retry-after': String(deps.userFailureWindowSeconds) },
          );
        }
        throw new AppError('IAM_ERR_MFA_CODE_INVALID', 'The code is wrong, expired or was already used.');
      }
      const restriction = passwordExpired(outcome.user, tenant.settings, now) ? 'password_change' : null;
      return deps.sessions.start(tenant, outcome.user.id, outcome.amr, client, restriction);
    },
  };
}

export type MfaLogin = ReturnType<typeof createMfaLogin>;
