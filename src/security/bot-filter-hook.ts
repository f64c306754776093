import type { FastifyInstance } from 'fastify';
import type { BotFilter } from './bot-filter.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Refuse automation user agents here (browser-facing sign-in and registration routes). */
    botFilter?: boolean;
  }
}

/**
 * Applies the tenant's bot filter to the routes that ask for it, before their body is read. Machine
 * endpoints (`/oauth/*`, the API) are not filtered: their callers are programs by design.
 */
export function registerBotFilter(app: FastifyInstance, filter: BotFilter): void {
  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.config.botFilter || !request.tenant) return;
    filter.check(request.headers['user-agent'], request.tenantSettings.bot_filter, {
      tenant: request.tenant.slug,
      log: request.log,
    });
  });
}
