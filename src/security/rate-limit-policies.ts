import { RATE_LIMIT_BUCKETS, type RateLimitBucket, type TenantSettings } from '../tenants/index.ts';

/** One limit: at most `limit` requests per fixed window of `windowSeconds`, named in the headers. */
export interface RateLimitPolicy {
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Per client IP, per tenant, per bucket, unless the tenant overrides it in
 * `settings.rate_limits`. These guard volume only: guessing one account's password is stopped by
 * lockout and captcha, so the sign-in limits leave room for many people behind one NAT.
 */
export const DEFAULT_BUCKET_LIMITS: Readonly<
  Record<RateLimitBucket, { limit: number; windowSeconds: number }>
> = {
  // An office or campus signing in at 9:00 shares one address.
  login: { limit: 30, windowSeconds: 60 },
  // Each registration may send an email and creates rows: the strictest after password_forgot.
  register: { limit: 10, windowSeconds: 60 },
  // Each request may send an email to someone else's inbox (mail bombing).
  password_forgot: { limit: 5, windowSeconds: 60 },
  // A new verification email to an address: mail bombing again.
  email_resend: { limit: 5, windowSeconds: 60 },
  // Needs a mailed single-use token; the limit only stops token guessing at volume.
  password_reset: { limit: 10, windowSeconds: 60 },
  // Codes also count against the mfa_token and the account; this caps one address across both.
  mfa_verify: { limit: 20, windowSeconds: 60 },
  // Refreshes of every app instance behind one address, and servers using client credentials.
  token: { limit: 120, windowSeconds: 60 },
  // Resource servers may introspect on every request they serve (and should cache).
  introspect: { limit: 600, windowSeconds: 60 },
};

/** The limit of a bucket for a tenant: its override if it set one, the default otherwise. */
export function bucketPolicy(bucket: RateLimitBucket, settings: TenantSettings | null): RateLimitPolicy {
  const override = settings?.rate_limits?.[bucket];
  if (override) return { name: bucket, limit: override.limit, windowSeconds: override.window_seconds };
  const { limit, windowSeconds } = DEFAULT_BUCKET_LIMITS[bucket];
  return { name: bucket, limit, windowSeconds };
}

/** The service-wide limit per client IP over every route (RATE_LIMIT_GLOBAL_PER_MINUTE). */
export function globalPolicy(perMinute: number): RateLimitPolicy {
  return { name: 'global', limit: perMinute, windowSeconds: 60 };
}

export function isRateLimitBucket(value: unknown): value is RateLimitBucket {
  return (RATE_LIMIT_BUCKETS as readonly unknown[]).includes(value);
}
