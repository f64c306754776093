import type { CounterState } from './counter-store.ts';
import type { RateLimitPolicy } from './rate-limit-policies.ts';

/** Whole seconds until `resetAt`, rounded up so a client that waits them is never early. */
export function secondsUntil(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}

/**
 * The fields of draft-ietf-httpapi-ratelimit-headers-10 (September 2025), §3–§4: both are
 * Structured Field Lists (RFC 9651) of Items whose value is the policy name as an sf-string.
 * `RateLimit-Policy` states the quota (`q`) per window (`w`, seconds); `RateLimit` the quota left
 * (`r`) and the seconds until it resets (`t`). This shape replaced the RateLimit-Limit/-Remaining/
 * -Reset trio in -08 and has not changed since; bucket names need no escaping (`[a-z_]`).
 */
export function rateLimitHeaders(
  policy: RateLimitPolicy,
  state: CounterState,
  now: number,
): Record<string, string> {
  const remaining = Math.max(0, policy.limit - state.count);
  const name = `"${policy.name}"`;
  return {
    'ratelimit-policy': `${name};q=${policy.limit};w=${policy.windowSeconds}`,
    ratelimit: `${name};r=${remaining};t=${secondsUntil(state.resetAt, now)}`,
  };
}
