import type { FastifyReply, FastifyRequest } from 'fastify';

// The hosted pages' sign-in lives in one cookie holding the session's refresh token: HttpOnly (no
// script reads it), signed with the service's cookie key (a tampered value is simply absent), and
// SameSite=Lax rather than Strict, so following a link from the tenant's application to the account
// page still finds the person signed in. Mutations never rely on it alone: every POST carries a
// CSRF token and passes the same-origin check.

export interface PageSession {
  set(reply: FastifyReply, slug: string, refreshToken: string, maxAgeSeconds: number): void;
  read(request: FastifyRequest, slug: string): string | undefined;
  clear(reply: FastifyReply, slug: string): void;
}

export function createPageSession(publicUrl: string): PageSession {
  const secure = publicUrl.startsWith('https:');
  // RFC 6265bis §4.1.3.2: `__Host-` needs Secure and Path=/, so plain-http development goes without it.
  const name = (slug: string) => (secure ? `__Host-gh_page_${slug}` : `gh_page_${slug}`);
  const base = { httpOnly: true, secure, sameSite: 'lax' as const, path: '/' };
  return {
    set(reply, slug, refreshToken, maxAgeSeconds) {
      reply.setCookie(name(slug), refreshToken, { ...base, signed: true, maxAge: maxAgeSeconds });
    },
    read(request, slug) {
      const raw = request.cookies[name(slug)];
      if (raw === undefined) return undefined;
      const unsigned = request.unsignCookie(raw);
      return unsigned.valid && unsigned.value !== null ? unsigned.value : undefined;
    },
    clear(reply, slug) {
      reply.clearCookie(name(slug), base);
    },
  };
}
