import { Type } from 'typebox';

// RFC 6238 codes here are six decimal digits; anything else is refused before it is compared.
export const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'The current six-digit code.' });
const RecoveryCode = Type.String({
  minLength: 12,
  maxLength: 40,
  pattern: '^[A-Za-z0-9 -]+$',
  description: 'An unused recovery code (case, spaces and dashes are ignored).',
});

/** One second-factor answer: a TOTP `code` or a `recovery_code` (exactly one). */
export const FactorAnswerFields = {
  code: Type.Optional(TotpCode),
  recovery_code: Type.Optional(RecoveryCode),
};

export const EnrolBody = Type.Object(FactorAnswerFields, {
  additionalProperties: false,
  description: 'Needed only to replace an authenticator already enrolled: an answer from the current one.',
});

export const EnrolmentView = Type.Object({
  secret: Type.String({ description: 'The shared secret, base32 (RFC 4648), for manual entry.' }),
  otpauth_uri: Type.String({ description: 'The `otpauth://totp/…` key URI.' }),
  qr_code_png: Type.String({ description: 'The key URI as a QR code: a PNG `data:` URL.' }),
  qr_code_svg: Type.String({ description: 'The key URI as a QR code: an SVG document.' }),
});

export const ConfirmBody = Type.Object({ code: TotpCode }, { additionalProperties: false });

export const RecoveryCodesView = Type.Object({
  recovery_codes: Type.Array(Type.String(), {
    description: 'Ten single-use codes, shown this once; each signs in once in place of a TOTP code.',
  }),
});

export const DisableBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 1024 }), ...FactorAnswerFields },
  { additionalProperties: false },
);

export const VerifyBody = Type.Object(
  {
    mfa_token: Type.String({ minLength: 1, maxLength: 128, description: 'From the sign-in response.' }),
    ...FactorAnswerFields,
    refresh_token_delivery: Type.Optional(
      Type.Union([Type.Literal('body'), Type.Literal('cookie')], {
        description: 'As at sign-in: `cookie` puts the refresh token in the HttpOnly session cookie.',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ mfa_token: 'bWZhLXRva2VuLWV4YW1wbGU', code: '492039' }],
  },
);

export const MfaStatusView = Type.Object({
  mode: Type.Union([Type.Literal('disabled'), Type.Literal('optional'), Type.Literal('required')]),
  totp: Type.Object({
    enrolled: Type.Boolean(),
    confirmed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    pending: Type.Boolean({ description: 'An enrolment was started and not yet confirmed.' }),
  }),
  recovery_codes_remaining: Type.Integer(),
});

export const MfaChallengeView = Type.Object({
  mfa_required: Type.Literal(true),
  mfa_token: Type.String({ description: 'Single-use, five minutes; its only use is POST /auth/mfa/verify.' }),
  methods: Type.Array(Type.String(), { description: '`totp` and `recovery_code`.' }),
  expires_in: Type.Integer(),
});
