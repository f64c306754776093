import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, BEARER, OAuthError, ProblemSchema, problemResponses } from '../http/index.ts';
import { MfaChallengeView } from '../mfa/index.ts';
import type { SessionService, TokenResponse } from '../tokens/index.ts';
import { TokenResponseSchema } from '../tokens/index.ts';
import { LoginBody } from './auth-schemas.ts';
import type { BrowserSession } from './browser-session.ts';
import { type LoginAttempt, type LoginDeps, PASSWORD_LOGIN, runSteps } from './login-steps.ts';
import { CookieTokenResponse, deliverTokens } from './token-delivery.ts';

const tags = ['auth'];

export const authRoutes: FastifyPluginAsyncTypebox<{
  deps: LoginDeps;
  sessions: SessionService;
  browser: BrowserSession;
}> = async (app, { deps, sessions, browser }) => {
  app.post(
    '/t/:tenant/v1/auth/login',
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'login' },
      schema: {
        tags,
        summary: 'Sign in with email and password',
        description:
          'Starts a session and returns an access token and a refresh token, or, when the user has a second factor, an `mfa_token` for POST /auth/mfa/verify. Where the tenant requires MFA and the user has none, the tokens serve only the enrolment routes. Every failure answers the same problem (IAM_ERR_INVALID_CREDENTIALS) in similar time.',
        body: LoginBody,
        response: {
          200: Type.Union([TokenResponseSchema, CookieTokenResponse, MfaChallengeView]),
          ...problemResponses(400, 401, 403, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const attempt: LoginAttempt = {
        tenant: request.tenant!,
        settings: request.tenantSettings,
        email: request.body.email,
        password: request.body.password,
        ...(request.body.captcha !== undefined ? { captcha: request.body.captcha } : {}),
        client: { ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
      };
      await runSteps(PASSWORD_LOGIN, attempt, deps);
      const result = attempt.result!;
      if ('mfa_required' in result) return reply.header('cache-control', 'no-store').send(result);
      return deliverTokens(browser, request, reply, result, request.body.refresh_token_delivery);
    },
  );

  app.post(
    '/t/:tenant/v1/auth/refresh',
    {
      config: { permission: 'public', rateLimit: 'token' },
      // Checked before the body is read, so a cross-site form is refused as such, whatever it posts.
      onRequest: async (request, reply) => {
        if (browser.refreshCookie(request, request.tenant!.slug) === undefined)
          throw new AppError('IAM_ERR_UNAUTHENTICATED', 'There is no session cookie; sign in again.');
        await browser.assertSameSite(request, reply, request.tenantSettings.cors.allowed_origins);
      },
      schema: {
        tags,
        summary: 'Refresh with the session cookie',
        description:
          'For browser applications that signed in with `refresh_token_delivery: "cookie"`: rotates the refresh token held in the HttpOnly cookie and returns a new access token. Needs the `X-CSRF-Token` header, from this origin or one in the tenant\'s `cors.allowed_origins` (a cross-site form is refused: IAM_ERR_CSRF). Clients holding their refresh token use POST /oauth/token instead.',
        response: { 200: CookieTokenResponse, ...problemResponses(401, 403, 429) },
      },
    },
    async (request, reply) => {
      const tenant = request.tenant!;
      const token = browser.refreshCookie(request, tenant.slug)!;
      const client = { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
      let tokens: TokenResponse;
      try {
        tokens = await sessions.refresh({ ...tenant, settings: request.tenantSettings }, token, client);
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        browser.clearRefreshCookie(reply, tenant.slug);
        throw new AppError('IAM_ERR_UNAUTHENTICATED', 'The session has ended; sign in again.');
      }
      return reply.send(deliverTokens(browser, request, reply, tokens, 'cookie'));
    },
  );

  app.post(
    '/t/:tenant/v1/auth/logout',
    {
      config: { permission: 'self:read' },
      schema: {
        tags,
        security: BEARER,
        summary: 'Sign out of this session',
        description:
          'Ends the session of the access token: its refresh token and every access token of the session stop working.',
        response: { 204: Type.Null(), 401: ProblemSchema },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      await sessions.revokeSessions(auth.tenantId, auth.subject, {
        ids: [auth.sessionId],
        reason: 'logout',
        actorId: auth.subject,
      });
      browser.clearRefreshCookie(reply, request.tenant!.slug);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/t/:tenant/v1/auth/logout-all',
    {
      config: { permission: 'self:read' },
      schema: {
        tags,
        security: BEARER,
        summary: 'Sign out everywhere',
        description: 'Ends every session of the user, this one included.',
        response: { 204: Type.Null(), 401: ProblemSchema },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      await sessions.revokeSessions(auth.tenantId, auth.subject, {
        reason: 'logout_all',
        actorId: auth.subject,
      });
      browser.clearRefreshCookie(reply, request.tenant!.slug);
      return reply.code(204).send(null);
    },
  );
};
