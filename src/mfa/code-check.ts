import type { Clock } from '../clock.ts';
import { spendOnce, type Tx } from '../db/index.ts';
import type { KeyEncryption } from '../tokens/index.ts';
import { type CredentialRow, claimStep } from './mfa-repository.ts';
import { hashRecoveryCode } from './recovery-codes.ts';
import { matchingSteps, stepExpiry } from './totp.ts';

/** A second-factor answer: a TOTP code or a recovery code. */
export type FactorAnswer = { code: string } | { recovery_code: string };

export type CheckOutcome =
  | { ok: true; method: 'otp' | 'rc' }
  | { ok: false; reason: 'invalid_code' | 'replayed_code' };

export const secretAad = (tenantId: string, credentialId: string) => `totp:${tenantId}:${credentialId}`;

/**
 * Checks one answer inside the caller's transaction and spends it when right: the matched time step
 * is recorded (a replay inside the window is refused, RFC 6238 §5.2) or the recovery code marked used.
 */
export async function checkAnswer(
  trx: Tx,
  deps: { encryption: KeyEncryption; clock: Clock; window: number },
  credential: CredentialRow,
  answer: FactorAnswer,
): Promise<CheckOutcome> {
  const now = deps.clock.now();
  if ('recovery_code' in answer) {
    const spent = await spendOnce(
      trx,
      'mfa_recovery_codes',
      {
        tenant_id: credential.tenant_id,
        user_id: credential.user_id,
        code_hash: hashRecoveryCode(credential.user_id, answer.recovery_code),
      },
      now.toISOString(),
    );
    return spent ? { ok: true, method: 'rc' } : { ok: false, reason: 'invalid_code' };
  }
  const secret = deps.encryption.decrypt(
    credential.secret_sealed,
    secretAad(credential.tenant_id, credential.id),
  );
  const steps = matchingSteps(secret, answer.code, now.getTime(), deps.window);
  for (const step of steps) {
    const expiresAt = stepExpiry(step, deps.window).toISOString();
    if (await claimStep(trx, credential.tenant_id, credential.id, step, expiresAt)) {
      return { ok: true, method: 'otp' };
    }
  }
  return { ok: false, reason: steps.length > 0 ? 'replayed_code' : 'invalid_code' };
}
