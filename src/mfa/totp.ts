import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

// TOTP (RFC 6238) with the parameters every authenticator app supports: HMAC-SHA1, 6 digits, 30 s.
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
const ALGORITHM = 'SHA1';
/** RFC 4226 §4 R6: a shared secret of at least 128 bits; 160 is what RFC 6238 Appendix A uses. */
const SECRET_BYTES = 20;

export interface TotpOptions {
  digits?: number;
  algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
}

/** A new random shared secret, as raw bytes. */
export function newTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: SECRET_BYTES }).bytes);
}

export function base32Of(secret: Buffer): string {
  return new Secret({ buffer: new Uint8Array(secret).buffer }).base32;
}

/** The `otpauth://totp/…` key URI (Google Authenticator key URI format) apps scan from the QR code. */
export function totpKeyUri(secret: Buffer, issuer: string, account: string): string {
  return new TOTP({
    issuer,
    label: account,
    algorithm: ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
  }).toString();
}

/** RFC 6238 §4.2: T = floor((now - T0) / X) with T0 = 0. */
export function timeStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of one time step. */
export function totpCode(secret: Buffer, step: number, options: TotpOptions = {}): string {
  return HOTP.generate({
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
    algorithm: options.algorithm ?? ALGORITHM,
    digits: options.digits ?? TOTP_DIGITS,
    counter: step,
  });
}

/**
 * The time steps within `window` steps of now whose code equals `code` (RFC 6238 §5.2 allows one step
 * either side for clock drift and transmission delay). Every step is compared, in constant time, so
 * the response time does not tell which step matched or how close a guess was.
 */
export function matchingSteps(secret: Buffer, code: string, nowMs: number, window: number): number[] {
  const current = timeStep(nowMs);
  const given = Buffer.from(code.padEnd(TOTP_DIGITS, '\0').slice(0, TOTP_DIGITS));
  const matches: number[] = [];
  for (let step = current - window; step <= current + window; step++) {
    const expected = Buffer.from(totpCode(secret, step));
    if (timingSafeEqual(given, expected) && code.length === TOTP_DIGITS) matches.push(step);
  }
  return matches;
}

/** The instant after which a code of `step` can no longer be accepted with this window. */
export function stepExpiry(step: number, window: number): Date {
  return new Date((step + window + 1) * TOTP_PERIOD_SECONDS * 1000);
}
