// Server-side checks of third-party captcha tokens. The three providers share one protocol: a form
// POST of `secret`, `response` and `remoteip` answered by JSON with `success`. Every failure counts as
// "invalid" (fail closed), but the reason says whether the user or the provider failed, for the logs.

export type CaptchaProvider = 'turnstile' | 'hcaptcha' | 'recaptcha';

export const PROVIDER_VERIFY_URLS: Readonly<Record<CaptchaProvider, string>> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
};

/**
 * `rejected`: the provider said no (the user's fault); the others are the provider's or ours:
 * `http_status` (not 200), `network`, `timeout`, `malformed_response`, `misconfigured` (no secret).
 */
export type ProviderFailure =
  | 'rejected'
  | 'http_status'
  | 'network'
  | 'timeout'
  | 'malformed_response'
  | 'misconfigured';

export type ProviderResult =
  | { ok: true }
  | { ok: false; reason: ProviderFailure; status?: number; errorCodes?: string[] };

export interface ProviderRequest {
  provider: CaptchaProvider;
  secret: string;
  /** Sent to hCaptcha, whose account-wide secret would otherwise accept another site's tokens. */
  siteKey: string;
  /** The token the widget produced. */
  response: string;
  remoteIp?: string | undefined;
  /** Replaces the provider's URL (a proxy, or a local verifier in tests). */
  verifyUrl?: string | undefined;
}

export interface ProviderVerifierOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export type ProviderVerifier = (request: ProviderRequest) => Promise<ProviderResult>;

const DEFAULT_TIMEOUT_MS = 5000;
const MAX_RESPONSE_CHARS = 65_536;
const MAX_ERROR_CODES = 5;

function errorCodesOf(body: Record<string, unknown>): string[] | undefined {
  const codes = body['error-codes'];
  if (!Array.isArray(codes)) return undefined;
  return codes
    .filter((c): c is string => typeof c === 'string')
    .slice(0, MAX_ERROR_CODES)
    .map((c) => c.slice(0, 64));
}

export function createProviderVerifier(options: ProviderVerifierOptions = {}): ProviderVerifier {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return async (request) => {
    if (!request.secret) return { ok: false, reason: 'misconfigured' };
    const form = new URLSearchParams({ secret: request.secret, response: request.response });
    if (request.remoteIp) form.set('remoteip', request.remoteIp);
    if (request.provider === 'hcaptcha' && request.siteKey) form.set('sitekey', request.siteKey);
    const url = request.verifyUrl || PROVIDER_VERIFY_URLS[request.provider];

    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
        // A redirect would resend the secret somewhere unplanned; it counts as a failed answer.
        redirect: 'manual',
      });
    } catch (error) {
      const name = (error as Error).name;
      return { ok: false, reason: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    }

    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      return { ok: false, reason: (error as Error).name === 'TimeoutError' ? 'timeout' : 'network' };
    }
    if (res.status !== 200) return { ok: false, reason: 'http_status', status: res.status };
    if (text.length > MAX_RESPONSE_CHARS) return { ok: false, reason: 'malformed_response', status: 200 };

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'malformed_response', status: 200 };
    }
    if (typeof body !== 'object' || body === null) {
      return { ok: false, reason: 'malformed_response', status: 200 };
    }
    const record = body as Record<string, unknown>;
    if (record.success === true) return { ok: true };
    const errorCodes = errorCodesOf(record);
    return { ok: false, reason: 'rejected', status: 200, ...(errorCodes ? { errorCodes } : {}) };
  };
}
