import type { Clock } from '../clock.ts';
import { AppError } from '../http/index.ts';
import type { TenantSettings } from '../tenants/index.ts';
import type { Altcha } from './altcha.ts';
import { createProviderVerifier, type ProviderResult } from './captcha-providers.ts';

// The captcha gate (the CaptchaVerifier port): sign-in, registration and password-forgot call it once
// their failure counters say a captcha is due. It answers nothing or throws a problem.

export type CaptchaSettings = TenantSettings['captcha'];

/** The request field the flows read the solution from, named in the problem detail. */
export const CAPTCHA_FIELD = 'captcha';

/** The part of pino's logger this needs (`request.log` fits). */
export interface CaptchaLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface CaptchaContext {
  /** The tenant slug, for the challenge URL in the problem detail and for the log. */
  tenant?: string;
  log?: CaptchaLog;
}

export interface CaptchaVerifier {
  /**
   * Resolves when `solution` passes the tenant's provider; throws IAM_ERR_CAPTCHA_REQUIRED when it
   * is missing and IAM_ERR_CAPTCHA_INVALID when it is wrong, expired or already used.
   */
  verify(
    settings: CaptchaSettings,
    solution: string | undefined,
    ip: string | undefined,
    context?: CaptchaContext,
  ): Promise<void>;
}

export interface CaptchaVerifierOptions {
  altcha: Altcha;
  clock: Clock;
  fetch?: typeof fetch;
  /** Per provider call; 5 s by default. */
  timeoutMs?: number;
  /** Used when a call passes no logger of its own. */
  log?: CaptchaLog;
}

/** Where to get a challenge; AppError carries no extension members, so this goes in the detail text. */
export function captchaRequiredDetail(settings: CaptchaSettings, tenant: string | undefined): string {
  if (settings.provider === 'altcha') {
    const path = `/t/${tenant ?? '{tenant}'}/v1/captcha/challenge`;
    return `This request needs a solved captcha: GET ${path} (ALTCHA proof of work), solve it and send the base64 payload as \`${CAPTCHA_FIELD}\`.`;
  }
  return `This request needs a solved captcha: provider ${settings.provider}, site key ${settings.site_key || '(not configured)'}; send the widget's token as \`${CAPTCHA_FIELD}\`.`;
}

export function createCaptchaVerifier(options: CaptchaVerifierOptions): CaptchaVerifier {
  const { altcha, clock } = options;
  const verifyWithProvider = createProviderVerifier({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });

  return {
    async verify(settings, solution, ip, context = {}) {
      const log = context.log ?? options.log;
      const tenant = context.tenant;
      if (!solution) throw new AppError('IAM_ERR_CAPTCHA_REQUIRED', captchaRequiredDetail(settings, tenant));

      if (settings.provider === 'altcha') {
        const result = await altcha.verify(solution);
        if (result.ok) return;
        log?.info({ tenant, provider: 'altcha', reason: result.reason }, 'captcha refused');
        throw new AppError('IAM_ERR_CAPTCHA_INVALID');
      }

      const started = clock.now().getTime();
      const result: ProviderResult = await verifyWithProvider({
        provider: settings.provider,
        secret: settings.secret_key,
        siteKey: settings.site_key,
        response: solution,
        remoteIp: ip,
        verifyUrl: settings.verify_url,
      });
      if (result.ok) return;
      const entry = {
        tenant,
        provider: settings.provider,
        reason: result.reason,
        ...(result.status !== undefined ? { status: result.status } : {}),
        ...(result.errorCodes ? { error_codes: result.errorCodes } : {}),
        took_ms: clock.now().getTime() - started,
      };
      // A user's wrong answer is routine; a provider that cannot be asked is an operator's problem.
      if (result.reason === 'rejected') log?.info(entry, 'captcha refused');
      else log?.warn(entry, 'captcha provider failed; refusing (fail closed)');
      throw new AppError('IAM_ERR_CAPTCHA_INVALID');
    },
  };
}
