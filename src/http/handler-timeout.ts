import type { FastifyInstance } from 'fastify';
import { UnavailableError } from './app-error.ts';

/**
 * Answers 503 (IAM_ERR_UNAVAILABLE, Retry-After) to a request not answered within `ms`, so no caller
 * is held past REQUEST_TIMEOUT_MS whatever the handler waits on. One timer per request, cleared when
 * the response closes. Fastify's own `handlerTimeout` answered without Retry-After and cost an
 * AbortController per request, and a DOMException for each request with a body (its signal aborts
 * when the request stream closes): about 7% of the CPU of introspection under load.
 */
export function registerHandlerTimeout(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', (_request, reply, done) => {
    const timer = setTimeout(() => {
      if (!reply.sent && !reply.raw.headersSent)
        reply.send(new UnavailableError('The request took too long to answer; try again.'));
    }, ms);
    timer.unref();
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}
