import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ProblemSchema } from '../http/index.ts';
import type { Altcha } from './altcha.ts';

const AltchaChallengeSchema = Type.Object(
  {
    algorithm: Type.Literal('SHA-256', { description: 'Hash the client searches with.' }),
    challenge: Type.String({ description: 'Hex hash of `salt` + the secret number.' }),
    maxnumber: Type.Integer({ description: 'Upper bound of the secret number (the difficulty).' }),
    salt: Type.String({ description: 'Random salt; carries the expiry (`?expires=` Unix seconds).' }),
    signature: Type.String({ description: 'HMAC of `challenge`; proves the challenge came from here.' }),
  },
  { description: 'An ALTCHA challenge (v1 format, as the `altcha` widget expects).' },
);

/**
 * The built-in captcha's challenge. It is always ALTCHA, whatever the tenant's provider: Turnstile,
 * hCaptcha and reCAPTCHA are solved client-side with their own widgets and need nothing from here.
 */
export const captchaRoutes: FastifyPluginAsyncTypebox<{ altcha: Altcha }> = async (app, { altcha }) => {
  app.get(
    '/t/:tenant/v1/captcha/challenge',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['security'],
        summary: 'A fresh ALTCHA captcha challenge',
        description:
          'A proof-of-work challenge to solve when a sign-in, registration or password-reset request answers IAM_ERR_CAPTCHA_REQUIRED for a tenant whose captcha provider is `altcha`. Solve it with the `altcha` widget or `solveChallenge` of `altcha-lib`, and send the base64 payload with the retried request. Each solved challenge is accepted once, until it expires (CAPTCHA_CHALLENGE_TTL_SECONDS). Tenants using Turnstile, hCaptcha or reCAPTCHA solve those with the provider widget instead.',
        response: { 200: AltchaChallengeSchema, 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (_request, reply) => {
      // Each challenge is single-use: a cached one would be refused as already spent.
      reply.header('cache-control', 'no-store');
      return altcha.createChallenge();
    },
  );
};
