import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TokenResponse } from '../tokens/index.ts';
import type { BrowserSession } from './browser-session.ts';

export const RefreshTokenDelivery = Type.Optional(
  Type.Union([Type.Literal('body'), Type.Literal('cookie')], {
    description:
      '`cookie` (browser applications): the refresh token goes into an HttpOnly, SameSite=Strict cookie instead of the body, and the answer carries a `csrf_token` for POST /auth/refresh.',
  }),
);

export const CookieTokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Lifetime of the access token in seconds.' }),
  csrf_token: Type.String({ description: 'Send as `X-CSRF-Token` with POST /auth/refresh.' }),
});

type CookieTokens = Omit<TokenResponse, 'refresh_token'> & { csrf_token: string };

/** The tokens of a sign-in or refresh, in the body or with the refresh token in the cookie. */
export function deliverTokens(
  browser: BrowserSession,
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: TokenResponse,
  mode: 'cookie',
): CookieTokens;
export function deliverTokens(
  browser: BrowserSession,
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: TokenResponse,
  mode: 'body' | 'cookie' | undefined,
): TokenResponse | CookieTokens;
export function deliverTokens(
  browser: BrowserSession,
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: TokenResponse,
  mode: 'body' | 'cookie' | undefined,
): TokenResponse | CookieTokens {
  // RFC 6749 §5.1: responses carrying tokens must not be cached.
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (mode !== 'cookie') return tokens;
  const { refresh_token: refreshToken, ...rest } = tokens;
  const lifetime = request.tenantSettings.tokens.refresh_absolute_ttl_seconds;
  browser.setRefreshCookie(reply, request.tenant!.slug, refreshToken, lifetime);
  return { ...rest, csrf_token: browser.csrfToken(reply) };
}
