import { Type } from 'typebox';
import { RefreshTokenDelivery } from './token-delivery.ts';

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    refresh_token_delivery: RefreshTokenDelivery,
    captcha: Type.Optional(
      Type.String({
        maxLength: 4096,
        description:
          'A captcha solution, required once failed sign-ins reach the tenant threshold (IAM_ERR_CAPTCHA_REQUIRED).',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ email: 'ada@example.com', password: 'correct horse battery staple' }],
  },
);
