import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isUuid } from '../db/index.ts';
import { BEARER, createdCursor, problemResponses, toPage } from '../http/index.ts';
import type { JobScheduler, JobSummary } from './job-scheduler.ts';
import { JobList, JobParams, JobRunPage, JobRunsQuery, JobStarted } from './job-schemas.ts';
import { type JobRun, type RunKey, runKey } from './run-store.ts';

const tags = ['jobs'];
const security = BEARER;

const runView = (run: JobRun) => ({ ...run, rows_affected: Number(run.rows_affected) });

const jobView = (job: JobSummary) => ({
  name: job.name,
  description: job.description,
  schedule: job.schedule,
  next_run_at: job.nextRunAt,
  running: job.running,
  last_run: job.lastRun ? runView(job.lastRun) : null,
});

/** Scheduled jobs for platform operators: what runs when, what each run did, and a way to run one now. */
export const jobRoutes: FastifyPluginAsyncTypebox<{ jobs: JobScheduler }> = async (app, { jobs }) => {
  app.get(
    '/v1/jobs',
    {
      config: { permission: 'job:read' },
      schema: {
        tags,
        security,
        summary: 'List the scheduled jobs',
        description: 'Each job with its schedule (cron, UTC), its next scheduled time and its last run.',
        response: { 200: JobList, ...problemResponses(401, 403) },
      },
    },
    async () => ({ scheduler_enabled: jobs.enabled, items: (await jobs.list()).map(jobView) }),
  );

  app.get(
    '/v1/jobs/:name/runs',
    {
      config: { permission: 'job:read' },
      schema: {
        tags,
        security,
        summary: 'List the runs of a job',
        description: 'Newest first; scheduled, manual and command-line runs, including skipped ones.',
        params: JobParams,
        querystring: JobRunsQuery,
        response: { 200: JobRunPage, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { limit = 50, cursor } = request.query;
      const after = createdCursor(cursor) as RunKey | undefined;
      const rows = await jobs.runs(request.params.name, limit, after);
      return toPage(request, reply, rows, limit, runKey, runView);
    },
  );

  app.post(
    '/v1/jobs/:name/run',
    {
      config: { permission: 'job:run' },
      schema: {
        tags,
        security,
        summary: 'Run a job now',
        description:
          'Starts the job at once on this process, under the same lease as scheduled runs, and answers before it finishes; follow it with GET /v1/jobs/{name}/runs. 409 while the job is running anywhere.',
        params: JobParams,
        response: { 202: JobStarted, ...problemResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      // Clients never hold platform permissions; only an operator (a user) is recorded as the starter.
      const auth = request.auth;
      const actor = auth?.kind === 'user' && isUuid(auth.subject) ? auth.subject : null;
      const runId = await jobs.runNow(request.params.name, actor);
      return reply.code(202).send({ job: request.params.name, run_id: runId, status: 'running' as const });
    },
  );
};
