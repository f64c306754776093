import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { SecuritySettings } from './security-settings.ts';

// Per-tenant settings with their defaults. A tenant stores only what it changed; everything else
// comes from here, so a release that adds a setting gives every tenant its default at once.
export const TenantSettingsSchema = Type.Object(
  {
    registration: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Self-service registration is open.' }),
      },
      { default: {}, additionalProperties: false },
    ),
    login: Type.Object(
      {
        password_enabled: Type.Boolean({
          default: true,
          description: 'Users may sign in with email and password.',
        }),
        require_verified_email: Type.Boolean({
          default: false,
          description: 'Users must verify their email before signing in.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    mfa: Type.Union([Type.Literal('disabled'), Type.Literal('optional'), Type.Literal('required')], {
      default: 'optional',
      description:
        '`disabled`: no second factor; `optional`: users choose; `required`: users without one may only enrol.',
    }),
    password_policy: Type.Object(
      {
        min_length: Type.Integer({
          default: 12,
          minimum: 8,
          maximum: 128,
          description: 'Minimum length in characters (NIST SP 800-63B: at least 8).',
        }),
        max_length: Type.Integer({
          default: 128,
          minimum: 64,
          maximum: 1024,
          description: 'Maximum length in characters (NIST SP 800-63B: at least 64).',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    users: Type.Object(
      {
        deleted_retention_days: Type.Integer({
          default: 30,
          minimum: 0,
          maximum: 3650,
          description: 'Days a deleted user can be restored before the purge.',
        }),
        attributes_max_bytes: Type.Integer({
          default: 8192,
          minimum: 0,
          maximum: 65536,
          description: 'Largest `attributes` object, as JSON bytes.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    tokens: Type.Object(
      {
        access_token_ttl_seconds: Type.Integer({
          default: 600,
          minimum: 60,
          maximum: 86400,
          description: 'Access token lifetime.',
        }),
        refresh_idle_ttl_seconds: Type.Integer({
          default: 1_209_600,
          minimum: 300,
          maximum: 31_536_000,
          description: 'A session unused this long ends (refresh token idle lifetime).',
        }),
        refresh_absolute_ttl_seconds: Type.Integer({
          default: 2_592_000,
          minimum: 300,
          maximum: 31_536_000,
          description: 'A session ends this long after sign-in, however active.',
        }),
        signing_algorithm: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256'), Type.Literal('RS256')], {
          default: 'EdDSA',
          description: 'JWS algorithm of new signing keys; a change takes effect through a rotation.',
        }),
        signing_key_rotation_days: Type.Integer({
          default: 90,
          minimum: 1,
          maximum: 3650,
          description: 'A signing key is replaced after this many days.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    links: Type.Object(
      {
        verify_email_ttl_minutes: Type.Integer({ default: 1440, minimum: 5, maximum: 43200 }),
        reset_password_ttl_minutes: Type.Integer({ default: 30, minimum: 5, maximum: 1440 }),
        invite_ttl_minutes: Type.Integer({ default: 10080, minimum: 60, maximum: 43200 }),
      },
      { default: {}, additionalProperties: false },
    ),
    ...SecuritySettings,
  },
  { additionalProperties: false },
);

export type TenantSettings = Static<typeof TenantSettingsSchema>;

/** The effective settings: stored values over the defaults. Invalid stored values fall back to defaults. */
export function resolveSettings(stored: unknown): TenantSettings {
  const merged = Value.Default(TenantSettingsSchema, structuredClone(stored ?? {}));
  return Value.Check(TenantSettingsSchema, merged)
    ? (merged as TenantSettings)
    : (Value.Default(TenantSettingsSchema, {}) as TenantSettings);
}
