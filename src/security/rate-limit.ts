import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import type { RateLimitBucket } from '../tenants/index.ts';
import { clientKey } from './client-key.ts';
import type { CounterState, CounterStore } from './counter-store.ts';
import { rateLimitHeaders, secondsUntil } from './rate-limit-headers.ts';
import {
  bucketPolicy,
  globalPolicy,
  isRateLimitBucket,
  type RateLimitPolicy,
} from './rate-limit-policies.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The bucket this route counts in, on top of the global limit (docs/rate-limits.md). */
    rateLimit?: RateLimitBucket;
  }
}

export interface RateLimitOptions {
  store: CounterStore;
  /** RATE_LIMIT_ENABLED: off only behind a gateway that limits for us. */
  enabled: boolean;
  /** RATE_LIMIT_GLOBAL_PER_MINUTE. */
  globalPerMinute: number;
  /** Epoch milliseconds; must be the clock the store uses, so `t` and `Retry-After` are exact. */
  now?: () => number;
}

// Load balancers and orchestrators poll these; limiting them would take a healthy replica out.
const EXEMPT_ROUTES = new Set(['/healthz', '/readyz']);

/**
 * Rate limits as hooks on the root instance, so they cover every route, 404s included.
 *
 * Two limits, both per client IP in fixed windows: a global one on every route, checked in
 * `onRequest` (register this before the tenant scope so even unknown-tenant floods are counted
 * before any lookup), and a stricter one for routes naming a bucket in `config.rateLimit`, checked
 * in `preParsing`: after every `onRequest` hook, so the tenant and its overrides are known, and
 * before the body is read. Refusals are 429 problems with `Retry-After` and the RateLimit fields.
 *
 * Written as hooks rather than with @fastify/rate-limit: that plugin emits the older
 * RateLimit-Limit/-Remaining/-Reset fields, and tenant overrides, Redis fallback and the problem
 * format would all have been worked around it.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  // Fail closed at start-up: a misspelt bucket would silently leave a route with the global limit.
  app.addHook('onRoute', (route) => {
    const bucket = route.config?.rateLimit;
    if (bucket !== undefined && !isRateLimitBucket(bucket)) {
      throw new Error(
        `${String(route.method)} ${route.url}: unknown config.rateLimit bucket ${String(bucket)}`,
      );
    }
  });
  if (!options.enabled) return;
  const { store } = options;
  const now = options.now ?? Date.now;
  const global = globalPolicy(options.globalPerMinute);

  /** Counts the request; throws the 429 when over the limit, answers the headers otherwise. */
  const count = async (
    request: FastifyRequest,
    policy: RateLimitPolicy,
    key: string,
  ): Promise<Record<string, string> | undefined> => {
    let state: CounterState;
    try {
      state = await store.hit(key, policy.windowSeconds * 1000);
    } catch (error) {
      // A broken store must not take the service down with it: serve, and say so in the log.
      request.log.error({ err: error }, 'rate limit store failed; request not limited');
      return undefined;
    }
    const at = now();
    const headers = rateLimitHeaders(policy, state, at);
    if (state.count <= policy.limit) return headers;
    const retryAfter = secondsUntil(state.resetAt, at);
    throw new AppError(
      'IAM_ERR_RATE_LIMITED',
      `Too many requests from this address (${policy.name}: ${policy.limit} per ${policy.windowSeconds} s); retry in ${retryAfter} s.`,
      { ...headers, 'retry-after': String(retryAfter) },
    );
  };

  app.addHook('onRequest', async (request) => {
    if (EXEMPT_ROUTES.has(request.routeOptions.url ?? '')) return;
    await count(request, global, `global:${clientKey(request.ip)}`);
  });

  app.addHook('preParsing', async (request, reply) => {
    const bucket = request.routeOptions.config.rateLimit;
    if (bucket === undefined) return;
    const tenant = request.tenant;
    const policy = bucketPolicy(bucket, tenant ? request.tenantSettings : null);
    const headers = await count(request, policy, `${bucket}:${tenant?.id ?? '-'}:${clientKey(request.ip)}`);
    // Kept on every answer of the route, errors included (Fastify keeps set headers on errors).
    if (headers) reply.headers(headers);
  });
}
