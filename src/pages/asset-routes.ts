import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

// Read once at start-up: a missing file stops the service rather than serving broken pages.
const ASSETS = [
  { name: 'pages.css', type: 'text/css; charset=utf-8' },
  { name: 'captcha.js', type: 'text/javascript; charset=utf-8' },
].map((asset) => ({ ...asset, body: readFileSync(new URL(`./assets/${asset.name}`, import.meta.url)) }));

/**
 * The pages' stylesheet and their one script (the captcha solver), from this origin as the CSP wants.
 * They change only with a release, so browsers may keep them for a day.
 */
export function assetRoutes(app: FastifyInstance): void {
  for (const asset of ASSETS) {
    app.get(
      `/assets/${asset.name}`,
      { config: { permission: 'public' }, schema: { hide: true } },
      async (_request, reply) =>
        reply
          .type(asset.type)
          .header('cache-control', 'public, max-age=86400')
          .header('x-content-type-options', 'nosniff')
          .send(asset.body),
    );
  }
}
