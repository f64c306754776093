import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { buildProblem, PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.ts';

/** A dependency check for `/readyz`: resolves when the dependency answers, rejects otherwise. */
export type Probe = () => Promise<void>;

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
  status: Type.Literal('ready'),
  checks: Type.Record(Type.String(), Type.Literal('ok')),
});

/** `/healthz` says the process is alive; `/readyz` that every configured dependency answers. */
export const healthRoutes: FastifyPluginAsync<{ probes: Record<string, Probe> }> = async (
  app,
  { probes },
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
          'Checks the database, and Redis and RabbitMQ when configured. 503 names the failing dependency.',
        response: { 200: Ready, 503: ProblemSchema },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const names = Object.keys(probes);
      const results = await Promise.allSettled(names.map((name) => withTimeout(probes[name] as Probe)));
      const failed = names.filter((_, i) => results[i]?.status === 'rejected');
      if (failed.length > 0) {
        request.log.warn({ failed }, 'not ready');
        const problem = buildProblem('IAM_ERR_UNAVAILABLE', `Unavailable: ${failed.join(', ')}.`, {
          request_id: request.id,
        });
        return reply.code(503).type(PROBLEM_CONTENT_TYPE).header('retry-after', '5').send(problem);
      }
      return { status: 'ready' as const, checks: Object.fromEntries(names.map((n) => [n, 'ok' as const])) };
    },
  );
};
