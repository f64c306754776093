import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ProblemSchema } from '../http/index.ts';
import { LoginBody, TokenResponse } from './auth-schemas.ts';
import { type LoginDeps, PASSWORD_LOGIN, runSteps } from './login-steps.ts';

export const authRoutes: FastifyPluginAsyncTypebox<{ deps: LoginDeps }> = async (app, { deps }) => {
  app.post(
    '/t/:tenant/v1/auth/login',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        description:
          'Returns an access token. Every failure answers the same problem (IAM_ERR_INVALID_CREDENTIALS).',
        body: LoginBody,
        response: { 200: TokenResponse, 401: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request, reply) => {
      const attempt = {
        tenant: request.tenant!,
        settings: request.tenantSettings,
        email: request.body.email,
        password: request.body.password,
      };
      const state: Parameters<typeof runSteps>[1] = attempt;
      await runSteps(PASSWORD_LOGIN, state, deps);
      // RFC 6749 §5.1: responses carrying tokens must not be cached.
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return state.result!;
    },
  );
};
