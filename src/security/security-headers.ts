import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Response headers every answer carries (@fastify/helmet): no sniffing, no framing, a CSP that lets
 * a JSON answer load nothing, HSTS when the public URL is https (RFC 6797 §7.2: only over TLS), and
 * `Cache-Control: no-store` unless a route chose its own caching (discovery, JWKS): answers carry
 * tokens, secrets or personal data and must not sit in shared caches.
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: { https: boolean },
): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
    hsts: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-site' },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
