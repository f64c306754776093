import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { AppError } from '../http/index.ts';
import type { CaptchaVerifier, CounterStore } from '../security/index.ts';
import type { TenantSettings } from '../tenants/index.ts';
import { normalizeEmail } from '../users/index.ts';

// Counters are keyed by the address typed, known or not, so a lockout or a captcha demand looks the
// same for an account that exists and one that does not (no enumeration), and the address itself
// never reaches Redis (a hash does).
const DAY_MS = 86_400_000;

export interface GuardSubject {
  tenantId: string;
  email: string;
  ip: string;
}

export interface LoginGuards {
  /**
   * Before the password is looked at: the captcha when the account's or the address's failures
   * reached the tenant's threshold, then the lockout. The captcha comes first, so an attacker
   * without solutions cannot cheaply lock a victim out.
   */
  admit(subject: GuardSubject, settings: TenantSettings, captcha: string | undefined): Promise<void>;
  /** The captcha gate alone (password-forgot). */
  requireCaptchaIfDue(
    subject: GuardSubject,
    settings: TenantSettings,
    captcha: string | undefined,
  ): Promise<void>;
  /** A wrong password (or an unknown address): counts, and locks once the threshold is reached. */
  failed(subject: GuardSubject, settings: TenantSettings): Promise<void>;
  /** The password was right: the account's failures and lockout growth start again. */
  succeeded(subject: GuardSubject): Promise<void>;
}

export function createLoginGuards(deps: {
  counters: CounterStore;
  captcha: CaptchaVerifier;
  clock: Clock;
}): LoginGuards {
  const { counters, captcha, clock } = deps;
  const account = (s: GuardSubject) =>
    `${s.tenantId}:${createHash('sha256').update(normalizeEmail(s.email)).digest('base64url').slice(0, 22)}`;
  const keys = (s: GuardSubject) => ({
    captchaAccount: `fail:acct:${account(s)}`,
    captchaIp: `fail:ip:${s.tenantId}:${s.ip}`,
    streak: `lock:streak:${account(s)}`,
    lockouts: `lock:count:${account(s)}`,
    locked: `lock:on:${account(s)}`,
  });

  async function requireCaptchaIfDue(
    subject: GuardSubject,
    settings: TenantSettings,
    solution: string | undefined,
  ) {
    const k = keys(subject);
    const [byAccount, byIp] = await Promise.all([
      counters.peek(k.captchaAccount),
      counters.peek(k.captchaIp),
    ]);
    const due =
      (byAccount?.count ?? 0) >= settings.captcha.account_threshold ||
      (byIp?.count ?? 0) >= settings.captcha.ip_threshold;
    if (due) await captcha.verify(settings.captcha, solution, subject.ip);
  }

  return {
    requireCaptchaIfDue,

    async admit(subject, settings, solution) {
      // Both reads leave at once; the captcha is still checked before the lockout is told.
      const lockedRead = counters.peek(keys(subject).locked);
      lockedRead.catch(() => {});
      await requireCaptchaIfDue(subject, settings, solution);
      const locked = await lockedRead;
      if (locked) {
        const seconds = Math.max(1, Math.ceil((locked.resetAt - clock.now().getTime()) / 1000));
        throw new AppError(
          'IAM_ERR_ACCOUNT_LOCKED',
          'Too many failed sign-ins for this address; try again later or reset the password.',
          { 'retry-after': String(seconds) },
        );
      }
    },

    async failed(subject, settings) {
      const k = keys(subject);
      const windowMs = settings.captcha.window_seconds * 1000;
      const [, , streak] = await Promise.all([
        counters.hit(k.captchaAccount, windowMs),
        counters.hit(k.captchaIp, windowMs),
        counters.hit(k.streak, DAY_MS),
      ]);
      const lockout = settings.lockout;
      if (streak.count < lockout.threshold) return;
      // Each lockout in a row lasts `growth_factor` times the previous one, up to the maximum.
      const { count } = await counters.hit(k.lockouts, DAY_MS);
      const seconds = Math.min(
        lockout.duration_seconds * lockout.growth_factor ** (count - 1),
        lockout.max_duration_seconds,
      );
      await counters.reset(k.streak);
      await counters.hit(k.locked, Math.round(seconds * 1000));
    },

    async succeeded(subject) {
      const k = keys(subject);
      await Promise.all([
        counters.reset(k.captchaAccount),
        counters.reset(k.streak),
        counters.reset(k.lockouts),
      ]);
    },
  };
}
