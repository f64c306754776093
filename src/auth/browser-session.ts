import { hkdfSync } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';

// The refresh-token cookie mode for browser applications: the refresh token lives in an HttpOnly
// cookie that scripts cannot read, and every use of it needs the CSRF token that came with the
// sign-in (double submit, @fastify/csrf-protection) from a same-origin or listed origin.

export interface BrowserSessionOptions {
  /** The key-encryption key: the cookie-signing key derives from it. */
  keyEncryptionKey: Buffer;
  /** PUBLIC_URL: `Secure` and `__Host-` cookies when it is https. */
  publicUrl: string;
}

/** What the routes need to issue, read and clear the cookie, and to check a cookie request. */
export interface BrowserSession {
  setRefreshCookie(reply: FastifyReply, slug: string, token: string, maxAgeSeconds: number): void;
  refreshCookie(request: FastifyRequest, slug: string): string | undefined;
  clearRefreshCookie(reply: FastifyReply, slug: string): void;
  csrfToken(reply: FastifyReply): string;
  /** Refuses a cookie-authenticated request without a valid CSRF token or from a foreign site. */
  assertSameSite(
    request: FastifyRequest,
    reply: FastifyReply,
    allowedOrigins: readonly string[],
  ): Promise<void>;
}

const csrfRefused = (why: string) => new AppError('IAM_ERR_CSRF', why);

export async function registerBrowserSession(
  app: FastifyInstance,
  options: BrowserSessionOptions,
): Promise<BrowserSession> {
  const secure = options.publicUrl.startsWith('https:');
  const ownOrigin = new URL(options.publicUrl).origin;
  // RFC 6265bis §4.1.3.2: `__Host-` cookies are Secure, host-only and Path=/; over plain http (development)
  // the prefix is not allowed, so the name goes without it.
  const name = (base: string) => (secure ? `__Host-${base}` : base);
  const base = { httpOnly: true, secure, sameSite: 'strict' as const, path: '/' };
  const secret = Buffer.from(
    hkdfSync('sha256', options.keyEncryptionKey, Buffer.alloc(0), 'cookie-signing', 32),
  );
  await app.register(cookie, { secret });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: name('gh_csrf'),
    cookieOpts: { ...base, signed: true },
  });
  const refreshName = (slug: string) => name(`gh_rt_${slug}`);

  return {
    setRefreshCookie(reply, slug, token, maxAgeSeconds) {
      reply.setCookie(refreshName(slug), token, { ...base, maxAge: maxAgeSeconds });
    },
    refreshCookie: (request, slug) => request.cookies[refreshName(slug)],
    clearRefreshCookie(reply, slug) {
      reply.clearCookie(refreshName(slug), base);
    },
    csrfToken: (reply) => reply.generateCsrf(),
    async assertSameSite(request, reply, allowedOrigins) {
      // Fetch Metadata first (a browser that sends it tells the truth about cross-site requests),
      // then Origin, then the token: all three must agree before a cookie counts as a credential.
      const origin = request.headers.origin;
      const listed = typeof origin === 'string' && (origin === ownOrigin || allowedOrigins.includes(origin));
      if (request.headers['sec-fetch-site'] === 'cross-site' && !listed)
        throw csrfRefused('Cross-site requests may not use the session cookie.');
      if (origin !== undefined && !listed) throw csrfRefused('This origin may not use the session cookie.');
      // The plugin answers a failure itself (reply.send); a stand-in reply turns that into our problem.
      await new Promise<void>((resolve, reject) => {
        const probe = Object.create(reply) as FastifyReply;
        probe.send = () => {
          reject(csrfRefused('The CSRF token is missing or wrong.'));
          return probe;
        };
        app.csrfProtection(request, probe, () => resolve());
      });
    },
  };
}
