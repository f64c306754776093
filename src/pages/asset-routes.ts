import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

// Read once at start-up: a missing stylesheet stops the service rather than serving broken pages.
const PAGES_CSS = readFileSync(new URL('./assets/pages.css', import.meta.url));

/** The pages' one stylesheet. It changes only with a release, so browsers may keep it for a day. */
export function assetRoutes(app: FastifyInstance): void {
  app.get(
    '/assets/pages.css',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=86400')
        .header('x-content-type-options', 'nosniff')
        .send(PAGES_CSS),
  );
}
