import { Type } from 'typebox';
import { PageQuery, pageSchema } from '../http/index.ts';

const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const JobRunView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  job: Type.String(),
  trigger: Type.Union([Type.Literal('schedule'), Type.Literal('manual'), Type.Literal('command')], {
    description: '`schedule` (cron), `manual` (POST /v1/jobs/{name}/run) or `command` (`npm run job`).',
  }),
  status: Type.Union(
    [Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('skipped')],
    { description: '`skipped`: the job was still running from an earlier start, so this one did not run.' },
  ),
  holder: Type.String({ description: 'The process that ran it (host:pid:random).' }),
  triggered_by: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The operator who started a manual run.',
  }),
  started_at: Time,
  finished_at: Nullable(Time),
  rows_affected: Type.Integer({ description: 'Rows deleted or changed (so far, while running).' }),
  batches: Type.Integer({ description: 'Transactions that changed rows.' }),
  error: Nullable(Type.String({ description: 'Why it failed or was skipped.' })),
});

export const JobView = Type.Object({
  name: Type.String(),
  description: Type.String(),
  schedule: Type.String({ description: 'Cron expression, in UTC.' }),
  next_run_at: Nullable({
    ...Time,
    description: 'Next scheduled time; null when this process does not schedule jobs (JOBS_ENABLED=false).',
  }),
  running: Type.Boolean({ description: "A process holds the job's lease now." }),
  last_run: Type.Union([JobRunView, Type.Null()]),
});

export const JobList = Type.Object({
  scheduler_enabled: Type.Boolean({ description: 'Whether this process schedules the jobs.' }),
  items: Type.Array(JobView),
});

export const JobParams = Type.Object({ name: Type.String({ maxLength: 100 }) });

export const JobRunsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

export const JobRunPage = pageSchema(JobRunView);

export const JobStarted = Type.Object({
  job: Type.String(),
  run_id: Type.String({ format: 'uuid' }),
  status: Type.Literal('running'),
});
