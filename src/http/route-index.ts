import type { FastifyInstance } from 'fastify';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Methods that some route accepts on this concrete path, for 405 answers (RFC 9110 §15.5.6). A
 * catch-all `OPTIONS *` (CORS preflights) makes no path exist by itself; where another method does,
 * OPTIONS is listed too.
 */
export function allowedMethods(app: FastifyInstance, path: string): string[] {
  const found: string[] = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
  if (found.length > 0 && app.findRoute({ method: 'OPTIONS', url: path }) !== null) found.push('OPTIONS');
  return found;
}
