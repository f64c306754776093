import type { Clock } from '../clock.ts';
import { type Database, isUuid, type Tx, uuidv7 } from '../db/index.ts';
import { appendEvent, type EventType } from '../events/index.ts';
import { AppError, type Principal, type RequestTenant } from '../http/index.ts';
import type { TenantSettings } from '../tenants/index.ts';
import { type KeyEncryption, setSessionRestriction } from '../tokens/index.ts';
import { findUserById, type SelfService, type UserRow } from '../users/index.ts';
import { checkAnswer, type FactorAnswer, secretAad } from './code-check.ts';
import {
  activateCredential,
  countUnusedRecoveryCodes,
  deleteCredentials,
  deleteRecoveryCodes,
  findCredential,
  insertCredential,
  replaceRecoveryCodes,
} from './mfa-repository.ts';
import { qrCodesOf } from './qr-code.ts';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { base32Of, newTotpSecret, totpKeyUri } from './totp.ts';

export type MfaTenant = RequestTenant & { settings: TenantSettings };

export interface MfaServiceDeps {
  database: Database;
  clock: Clock;
  encryption: KeyEncryption;
  self: Pick<SelfService, 'confirmPassword'>;
  window: number;
}

const codeInvalid = () =>
  new AppError('IAM_ERR_MFA_CODE_INVALID', 'The code is wrong, expired or was already used.');
const notEnrolled = () => new AppError('IAM_ERR_MFA_NOT_ENROLLED', 'No authenticator is enrolled.');
const userNotFound = () => new AppError('IAM_ERR_USER_NOT_FOUND', 'No such user.');

function assertEnabled(tenant: MfaTenant) {
  if (tenant.settings.mfa === 'disabled')
    throw new AppError('IAM_ERR_MFA_DISABLED', 'This tenant does not use second factors.');
}

/** Enrolment, confirmation, recovery codes, disabling and the administrator's reset of TOTP. */
export function createMfaService(deps: MfaServiceDeps) {
  const { database, clock, encryption } = deps;
  const checkDeps = { encryption, clock, window: deps.window };

  async function userEvent(trx: Tx, type: EventType, user: UserRow, actorId: string, extra = {}) {
    await appendEvent(
      trx,
      {
        type,
        tenantId: user.tenant_id,
        payload: {
          tenant_id: user.tenant_id,
          user_id: user.id,
          email: user.email,
          actor_id: actorId,
          ...extra,
        },
      },
      clock.now(),
    );
  }

  async function failed(trx: Tx, user: UserRow, reason: string) {
    await appendEvent(
      trx,
      {
        type: 'mfa.verification_failed',
        tenantId: user.tenant_id,
        payload: { tenant_id: user.tenant_id, user_id: user.id, reason, ip: null },
      },
      clock.now(),
    );
  }

  /**
   * Runs `fn` with the user's active credential after checking `answer` against it. A wrong answer is
   * recorded (the event commits) and then refused, so failures cannot be retried silently.
   */
  async function withVerifiedFactor<T>(
    tenantId: string,
    userId: string,
    answer: FactorAnswer,
    fn: (trx: Tx, user: UserRow) => Promise<T>,
  ): Promise<T> {
    const outcome = await database.withTenant(tenantId, async (trx) => {
      const user = await findUserById(trx, tenantId, userId);
      if (!user) throw userNotFound();
      const active = await findCredential(trx, tenantId, userId, 'active');
      if (!active) throw notEnrolled();
      const checked = await checkAnswer(trx, checkDeps, active, answer);
      if (!checked.ok) {
        await failed(trx, user, checked.reason);
        return { ok: false as const };
      }
      return { ok: true as const, value: await fn(trx, user) };
    });
    if (!outcome.ok) throw codeInvalid();
    return outcome.value;
  }

  async function issueRecoveryCodes(trx: Tx, user: UserRow): Promise<string[]> {
    const codes = newRecoveryCodes();
    const hashes = codes.map((code) => hashRecoveryCode(user.id, code));
    await replaceRecoveryCodes(trx, user.tenant_id, user.id, hashes, clock.now().toISOString());
    return codes;
  }

  return {
    async status(tenant: MfaTenant, userId: string) {
      return database.withTenant(tenant.id, async (trx) => {
        const active = await findCredential(trx, tenant.id, userId, 'active');
        const pending = await findCredential(trx, tenant.id, userId, 'pending');
        return {
          mode: tenant.settings.mfa,
          totp: {
            enrolled: active !== undefined,
            confirmed_at: active?.confirmed_at ?? null,
            pending: pending !== undefined,
          },
          recovery_codes_remaining: active ? await countUnusedRecoveryCodes(trx, tenant.id, userId) : 0,
        };
      });
    },

    /**
     * Starts an enrolment: a new secret in a pending credential, which replaces the active one only
     * once confirmed. Replacing an enrolled factor needs an answer from the current one, so a stolen
     * access token alone cannot move the second factor to an attacker's device.
     */
    async enrol(tenant: MfaTenant, userId: string, current: FactorAnswer | undefined) {
      assertEnabled(tenant);
      const now = clock.now();
      const secret = newTotpSecret();
      const id = uuidv7(now.getTime());
      const prepare = async (trx: Tx, user: UserRow) => {
        await deleteCredentials(trx, tenant.id, userId, 'pending');
        await insertCredential(trx, {
          tenant_id: tenant.id,
          id,
          user_id: userId,
          kind: 'totp',
          status: 'pending',
          secret_sealed: encryption.encrypt(secret, secretAad(tenant.id, id)),
          created_at: now.toISOString(),
          confirmed_at: null,
        });
        return user;
      };
      const active = await database.withTenant(tenant.id, (trx) =>
        findCredential(trx, tenant.id, userId, 'active'),
      );
      let user: UserRow;
      if (active) {
        if (!current) throw codeInvalid();
        user = await withVerifiedFactor(tenant.id, userId, current, prepare);
      } else {
        user = await database.withTenant(tenant.id, async (trx) => {
          const found = await findUserById(trx, tenant.id, userId);
          if (!found) throw userNotFound();
          return prepare(trx, found);
        });
      }
      const uri = totpKeyUri(secret, tenant.displayName, user.email);
      const qr = await qrCodesOf(uri);
      return { secret: base32Of(secret), otpauth_uri: uri, qr_code_png: qr.png, qr_code_svg: qr.svg };
    },

    /**
     * Activates the pending credential with a current code and returns ten recovery codes (shown once).
     * A session restricted to enrolment becomes a full one, with `otp` among its methods.
     */
    async confirm(tenant: MfaTenant, auth: Principal, code: string): Promise<string[]> {
      assertEnabled(tenant);
      const outcome = await database.withTenant(tenant.id, async (trx) => {
        const user = await findUserById(trx, tenant.id, auth.subject);
        if (!user) throw userNotFound();
        const pending = await findCredential(trx, tenant.id, user.id, 'pending');
        if (!pending) throw notEnrolled();
        const checked = await checkAnswer(trx, checkDeps, pending, { code });
        if (!checked.ok) return { codes: null };
        const replaced = (await deleteCredentials(trx, tenant.id, user.id, 'active')) > 0;
        await activateCredential(trx, tenant.id, pending.id, clock.now().toISOString());
        const codes = await issueRecoveryCodes(trx, user);
        if (auth.restriction === 'mfa_enrollment') {
          await setSessionRestriction(trx, tenant.id, auth.sessionId, null, [...auth.amr, 'otp']);
        }
        await userEvent(trx, 'mfa.enrolled', user, auth.subject, { replaced });
        return { codes };
      });
      if (!outcome.codes) throw codeInvalid();
      return outcome.codes;
    },

    /** New recovery codes (the old ones stop working); needs a current TOTP code. */
    async regenerateRecoveryCodes(tenant: MfaTenant, userId: string, code: string): Promise<string[]> {
      assertEnabled(tenant);
      return withVerifiedFactor(tenant.id, userId, { code }, async (trx, user) => {
        const codes = await issueRecoveryCodes(trx, user);
        await userEvent(trx, 'mfa.recovery_codes_regenerated', user, userId);
        return codes;
      });
    },

    /** Turns the second factor off: needs the password and a current code or recovery code. */
    async disable(tenant: MfaTenant, userId: string, password: string, answer: FactorAnswer): Promise<void> {
      if (tenant.settings.mfa === 'required')
        throw new AppError('IAM_ERR_MFA_REQUIRED_BY_TENANT', 'This tenant requires a second factor.');
      await deps.self.confirmPassword(tenant.id, userId, password);
      await withVerifiedFactor(tenant.id, userId, answer, async (trx, user) => {
        await deleteCredentials(trx, tenant.id, userId);
        await deleteRecoveryCodes(trx, tenant.id, userId);
        await userEvent(trx, 'mfa.disabled', user, userId);
      });
    },

    /** An administrator removes a user's second factor (lost device); the user is told by email. */
    async resetByAdmin(tenantId: string, userId: string, actorId: string): Promise<void> {
      await database.withTenant(tenantId, async (trx) => {
        // A malformed id names no user (and never reaches PostgreSQL's uuid cast).
        const user = isUuid(userId) ? await findUserById(trx, tenantId, userId) : undefined;
        if (!user) throw userNotFound();
        if ((await deleteCredentials(trx, tenantId, userId)) === 0) throw notEnrolled();
        await deleteRecoveryCodes(trx, tenantId, userId);
        await userEvent(trx, 'mfa.reset_by_admin', user, actorId);
      });
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
