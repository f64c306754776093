import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BEARER, ProblemSchema, problemResponses } from '../http/index.ts';
import { MfaChallengeView } from '../mfa/index.ts';
import type { SessionService } from '../tokens/index.ts';
import { TokenResponseSchema } from '../tokens/index.ts';
import { LoginBody } from './auth-schemas.ts';
import { type LoginAttempt, type LoginDeps, PASSWORD_LOGIN, runSteps } from './login-steps.ts';

const tags = ['auth'];

export const authRoutes: FastifyPluginAsyncTypebox<{ deps: LoginDeps; sessions: SessionService }> = async (
  app,
  { deps, sessions },
) => {
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
          200: Type.Union([TokenResponseSchema, MfaChallengeView]),
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
      // RFC 6749 §5.1: responses carrying tokens must not be cached.
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return attempt.result!;
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
      return reply.code(204).send(null);
    },
  );
};
