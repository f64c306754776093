import { Type } from 'typebox';

// The tenant settings that guard sign-in and the API: lockout, captcha, bot filter, rate limits,
// CORS and the origins hosted pages may return to. Defaults suit a public consumer-facing tenant.

const Int = (def: number, minimum: number, maximum: number, description: string) =>
  Type.Integer({ default: def, minimum, maximum, description });
const group = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { default: {}, additionalProperties: false });

/** An origin (RFC 6454 §6.2): scheme, host and optional port; no path, no wildcard. */
export const Origin = Type.String({
  pattern: '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$',
  maxLength: 255,
  description: 'An origin such as `https://app.example.com`.',
});

/** Buckets requests are counted in; each has a default limit and a tenant may override it. */
export const RATE_LIMIT_BUCKETS = [
  'login',
  'register',
  'password_forgot',
  'email_resend',
  'password_reset',
  'mfa_verify',
  'token',
  'introspect',
] as const;
export type RateLimitBucket = (typeof RATE_LIMIT_BUCKETS)[number];

const RateLimitOverride = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Requests allowed per window.' }),
    window_seconds: Type.Integer({ minimum: 1, maximum: 86_400, description: 'Window length.' }),
  },
  { additionalProperties: false },
);

export const SecuritySettings = {
  lockout: group({
    threshold: Int(10, 1, 1000, 'Failed sign-ins in a row that lock the account.'),
    duration_seconds: Int(300, 1, 86_400, 'First lockout length.'),
    growth_factor: Type.Number({
      default: 2,
      minimum: 1,
      maximum: 10,
      description: 'Each further lockout in a row lasts this many times longer.',
    }),
    max_duration_seconds: Int(86_400, 1, 2_592_000, 'Longest lockout.'),
  }),
  captcha: group({
    account_threshold: Int(
      3,
      1,
      1000,
      'Failed sign-ins of one account within the window that require a captcha.',
    ),
    ip_threshold: Int(
      20,
      1,
      100_000,
      'Failed sign-ins from one IP within the window that require a captcha.',
    ),
    window_seconds: Int(900, 60, 86_400, 'Period over which failures are counted.'),
    provider: Type.Union(
      [
        Type.Literal('altcha'),
        Type.Literal('turnstile'),
        Type.Literal('hcaptcha'),
        Type.Literal('recaptcha'),
      ],
      { default: 'altcha', description: 'Built-in ALTCHA proof of work, or a third-party verifier.' },
    ),
    site_key: Type.String({
      default: '',
      maxLength: 200,
      description: 'Public key of a third-party provider.',
    }),
    secret_key: Type.String({
      default: '',
      maxLength: 200,
      description: 'Secret of a third-party provider; write-only (read back masked).',
    }),
    verify_url: Type.String({
      default: '',
      maxLength: 2048,
      pattern: '^$|^https?://',
      description: "Overrides the provider's verification URL (for a proxy or a test verifier).",
    }),
  }),
  bot_filter: group({
    enabled: Type.Boolean({
      default: true,
      description: 'Refuse automation user agents on sign-in and registration.',
    }),
    allow: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      default: [],
      maxItems: 50,
      description: "Regular expressions of user agents always let through (the tenant's SDKs, monitors).",
    }),
    deny: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      default: [],
      maxItems: 50,
      description: 'Extra regular expressions of user agents to refuse.',
    }),
  }),
  rate_limits: Type.Partial(
    Type.Object(
      Object.fromEntries(RATE_LIMIT_BUCKETS.map((b) => [b, RateLimitOverride])) as Record<
        RateLimitBucket,
        typeof RateLimitOverride
      >,
    ),
    {
      default: {},
      additionalProperties: false,
      description: 'Per-bucket limits that replace the service defaults for this tenant.',
    },
  ),
  cors: group({
    allowed_origins: Type.Array(Origin, {
      default: [],
      maxItems: 100,
      description: "Browser origins that may call this tenant's API (with credentials).",
    }),
  }),
  hosted_pages: group({
    allowed_redirect_origins: Type.Array(Origin, {
      default: [],
      maxItems: 100,
      description: 'Origins a hosted page may send the browser back to after sign-in (`return_to`).',
    }),
    accent_color: Type.String({
      default: '',
      maxLength: 7,
      pattern: '^$|^#[0-9a-fA-F]{6}$',
      description: "Accent colour of the tenant's hosted pages (`#rrggbb`); empty keeps the default.",
    }),
    logo_url: Type.String({
      default: '',
      maxLength: 2048,
      pattern: '^$|^https://[^\\s"\'<>]+$',
      description: 'https URL of a logo shown on the hosted pages; empty shows none.',
    }),
  }),
  password_expiry: group({
    max_age_days: Int(0, 0, 3650, 'Days a password lasts; 0 never expires.'),
    reminder_days: Int(7, 1, 365, 'Days before expiry the reminder email goes out.'),
  }),
  email: group({
    sender_name: Type.String({
      default: '',
      maxLength: 100,
      description: "Display name of the tenant's emails; empty uses the tenant's display name.",
    }),
  }),
};
