import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Runs `start` and returns, beside what it returns, every route the Fastify instances it builds
 * register. Fastify announces each new instance on the `fastify.initialization` channel (as APM
 * agents use it) before any route exists, so an onRoute hook added there sees them all.
 */
export async function collectingRoutes<T>(
  start: () => Promise<T>,
): Promise<{ started: T; routes: RouteOptions[] }> {
  const routes: RouteOptions[] = [];
  const collect = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route) => {
      routes.push(route);
    });
  };
  subscribe('fastify.initialization', collect);
  try {
    return { started: await start(), routes };
  } finally {
    unsubscribe('fastify.initialization', collect);
  }
}
