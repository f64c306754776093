import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { buildProblem, PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.ts';

/** A dependency check for `/readyz`: resolves when the dependency answers, rejects otherwise. */
export type Probe = () => Promise<void>;

/**
 * `required`: without it no request can be served (the database), so readiness fails. Otherwise the
 * service rides the outage out (Redis: per-process counters and polling; RabbitMQ: the outbox), and
 * taking every replica out of a load balancer for it would turn a degradation into an outage.
 */
export interface Dependency {
  probe: Probe;
  required: boolean;
}

const PROBE_TIMEOUT_MS = 2000;

function withTimeout(probe: Probe): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS);
    probe().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const Health = Type.Object({ status: Type.Literal('ok') });
const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded')], {
    description: '`degraded`: a dependency the service can do without for a while does not answer.',
  }),
  checks: Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('failing')])),
});

/** `/healthz` says the process is alive; `/readyz` that it can serve: its required dependencies answer. */
export const healthRoutes: FastifyPluginAsync<{ dependencies: Record<string, Dependency> }> = async (
  app,
  { dependencies },
) => {
  app.get(
    '/healthz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        description: 'Answers while the process serves requests; checks no dependency (see /readyz).',
        response: { 200: Health },
      },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness',
        description:
          'Checks the database, and Redis and RabbitMQ when configured. 503 (naming it) when the database ' +
          'fails; 200 `degraded` when only Redis or RabbitMQ does, which the service rides out.',
        response: { 200: Ready, 503: ProblemSchema },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const names = Object.keys(dependencies);
      const results = await Promise.allSettled(names.map((name) => withTimeout(dependencies[name]!.probe)));
      const failed = names.filter((_, i) => results[i]?.status === 'rejected');
      const blocking = failed.filter((name) => dependencies[name]!.required);
      if (failed.length > 0) request.log.warn({ failed }, blocking.length > 0 ? 'not ready' : 'degraded');
      if (blocking.length > 0) {
        const problem = buildProblem('IAM_ERR_UNAVAILABLE', `Unavailable: ${blocking.join(', ')}.`, {
          request_id: request.id,
        });
        return reply.code(503).type(PROBLEM_CONTENT_TYPE).header('retry-after', '5').send(problem);
      }
      return {
        status: failed.length > 0 ? ('degraded' as const) : ('ready' as const),
        checks: Object.fromEntries(
          names.map((n) => [n, failed.includes(n) ? ('failing' as const) : ('ok' as const)]),
        ),
      };
    },
  );
};
