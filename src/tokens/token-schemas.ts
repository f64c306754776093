import { Type } from 'typebox';

/** The tokens of a sign-in or a refresh (RFC 6749 §5.1). */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Lifetime of the access token in seconds.' }),
  refresh_token: Type.String({ description: 'Opaque, single-use: each refresh returns a new one.' }),
});
