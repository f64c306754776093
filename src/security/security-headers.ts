import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Response headers every answer carries (helmet): no sniffing, no framing, a CSP that lets a JSON
 * answer load nothing, HSTS when the public URL is https (RFC 6797 §7.2: only over TLS), and
 * `Cache-Control: no-store` unless a route chose its own caching (discovery, JWKS): answers carry
 * tokens, secrets or personal data and must not sit in shared caches. The middleware is built once
 * and only sets its headers per request (docs/adr/0001-security-headers-built-once.md).
 */
export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  const setHeaders = helmet({
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
  app.addHook('onRequest', (request, reply, done) => {
    setHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
