import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TenantDirectory } from '../tenants/index.ts';

// CORS (WHATWG Fetch §3.2) per tenant: tenant routes answer the origins in the tenant's
// `cors.allowed_origins`, platform routes those in CORS_ALLOWED_ORIGINS. An allowed origin is echoed
// with credentials allowed; `*` is never sent, so credentials never go to an unlisted origin.

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;
const TENANT_PATH = /^\/t\/([a-z0-9-]{1,63})\//;
const METHODS = 'GET, POST, PUT, PATCH, DELETE';
// Request headers a browser may send cross-origin besides the CORS-safelisted ones.
const ALLOWED_HEADERS = new Set(['authorization', 'content-type', 'if-match', 'x-request-id']);
// Response headers scripts may read: paging, versions, limits, tracing.
const EXPOSED = 'Link, ETag, Location, Retry-After, RateLimit, RateLimit-Policy, X-Request-Id';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export interface CorsOptions {
  /** CORS_ALLOWED_ORIGINS, parsed. */
  platformOrigins: readonly string[];
  directory: Pick<TenantDirectory, 'bySlug'>;
}

/** CORS_ALLOWED_ORIGINS as a list of origins; anything that is not an origin is ignored. */
export function parseOrigins(value: string): string[] {
  return value
    .split(',')
    .map((o) => o.trim())
    .filter((o) => ORIGIN.test(o));
}

export function registerCors(app: FastifyInstance, options: CorsOptions): void {
  async function allowedOrigins(request: FastifyRequest): Promise<readonly string[]> {
    // A preflight matches no route, so the tenant comes from the path, not from the tenant scope.
    const slug = TENANT_PATH.exec(request.url)?.[1];
    if (!slug) return options.platformOrigins;
    if (request.tenant) return request.tenantSettings.cors.allowed_origins;
    const tenant = await options.directory.bySlug(slug);
    return tenant?.status === 'active' ? tenant.settings.cors.allowed_origins : [];
  }

  async function originAllowed(request: FastifyRequest): Promise<string | undefined> {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !ORIGIN.test(origin)) return undefined;
    return (await allowedOrigins(request)).includes(origin) ? origin : undefined;
  }

  function allow(reply: FastifyReply, origin: string): FastifyReply {
    return reply
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-credentials', 'true');
  }

  // Preflights are answered here, before access control: they carry no credentials by design.
  app.options('*', { config: { permission: 'public' }, schema: { hide: true } }, async (request, reply) => {
    reply.header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    const origin = await originAllowed(request);
    const method = request.headers['access-control-request-method'];
    if (origin && typeof method === 'string' && METHODS.includes(method.toUpperCase())) {
      allow(reply, origin);
      const requested = String(request.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => ALLOWED_HEADERS.has(h));
      reply
        .header('access-control-allow-methods', METHODS)
        .header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      if (requested.length > 0) reply.header('access-control-allow-headers', requested.join(', '));
    }
    return reply.code(204).send();
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS' || request.headers.origin === undefined) return;
    reply.header('vary', 'Origin');
    const origin = await originAllowed(request);
    if (origin) allow(reply, origin).header('access-control-expose-headers', EXPOSED);
  });
}
