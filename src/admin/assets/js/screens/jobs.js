import { confirmAction } from '../dialog.js';
import { h, replace } from '../dom.js';
import { details, pagedTable, table, time } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, heading, link } from '../ui.js';

// The scheduled clean-ups (expired tokens, deleted users, old dead letters…): when each runs, how
// its runs went, and a way to run one now. Platform operators only.

/** A run's outcome in words, with when it started. @param {any} run */
const outcome = (run) =>
  run ? [h('span', { class: 'badge' }, run.status), ' ', time(run.started_at)] : 'never run';

/**
 * Asks, then starts the job; the run goes on after the answer.
 * @param {any} ctx @param {any} job @param {HTMLElement} where  for a problem
 */
async function runNow(ctx, job, where) {
  const sure = await confirmAction(
    `Run ${job.name} now? ${job.description} It starts at once, whatever its schedule.`,
    'Run now',
  );
  if (!sure) return false;
  const started = await attempt(where, () => ctx.api.post(`/v1/jobs/${encodeURIComponent(job.name)}/run`));
  if (started) announce(`${job.name} started (run ${started.run_id}).`);
  return Boolean(started);
}

/** @param {any} ctx */
async function renderJobs(ctx) {
  const problems = h('div', {});
  const listing = h('div', {});
  async function show() {
    const { scheduler_enabled: scheduling, items } = await ctx.api.get('/v1/jobs');
    replace(
      listing,
      !scheduling &&
        h(
          'p',
          { class: 'hint' },
          'This server does not schedule jobs (JOBS_ENABLED=false), so it plans no next run; another ' +
            'process or an external scheduler may run them.',
        ),
      table({
        caption: 'Scheduled jobs',
        rows: items,
        empty: 'No jobs.',
        columns: [
          {
            label: 'Job',
            value: (j) => [link(to('jobs', j.name), j.name), h('div', { class: 'hint' }, j.description)],
          },
          { label: 'Schedule (UTC)', value: (j) => h('code', {}, j.schedule) },
          { label: 'Next run', value: (j) => time(j.next_run_at) },
          { label: 'Last run', value: (j) => outcome(j.last_run) },
          {
            label: 'Actions',
            value: (j) =>
              button(
                'Run now',
                async () => {
                  if (await runNow(ctx, j, problems)) await show();
                },
                { disabled: j.running, 'aria-label': `Run ${j.name} now` },
              ),
          },
        ],
      }),
    );
  }
  await show();
  ctx.main.append(
    heading(
      'Jobs',
      button('Refresh', () => attempt(problems, show)),
    ),
    problems,
    listing,
  );
}

/** @param {any} ctx */
async function renderJob(ctx) {
  const name = ctx.params.name;
  const { items } = await ctx.api.get('/v1/jobs');
  const job = items.find((/** @type {any} */ j) => j.name === name);
  if (!job) throw Object.assign(new Error(`There is no job named ${name}.`), { code: 'Not found' });
  const problems = h('div', {});
  const runs = pagedTable({
    caption: `Runs of ${name}`,
    empty: 'It has not run yet.',
    columns: [
      { label: 'Started', value: (r) => time(r.started_at) },
      { label: 'Finished', value: (r) => time(r.finished_at) },
      { label: 'Status', value: (r) => h('span', { class: 'badge' }, r.status) },
      { label: 'Trigger', value: (r) => r.trigger },
      { label: 'Rows', value: (r) => String(r.rows_affected) },
      { label: 'Batches', value: (r) => String(r.batches) },
      { label: 'Started by', value: (r) => (r.triggered_by ? h('code', {}, r.triggered_by) : '—') },
      { label: 'Process', value: (r) => h('code', {}, r.holder) },
      { label: 'Error', value: (r) => r.error ?? '—' },
    ],
    load: (cursor) => ctx.api.get(`/v1/jobs/${encodeURIComponent(name)}/runs`, { cursor, limit: 25 }),
  });
  ctx.main.append(
    heading(
      name,
      button(
        'Run now',
        async () => {
          if (await runNow(ctx, job, problems)) await runs.reload();
        },
        { class: 'primary' },
      ),
      button('Refresh', () => runs.reload()),
    ),
    h('p', {}, link(to('jobs'), 'All jobs')),
    h('p', {}, job.description),
    details([
      ['Schedule (UTC)', h('code', {}, job.schedule)],
      ['Next run', time(job.next_run_at)],
      ['Running now', job.running ? 'yes' : 'no'],
    ]),
    problems,
    h('h2', {}, 'Runs'),
    runs,
  );
}

export const routes = [
  { path: '/jobs', title: 'Jobs', platform: true, render: renderJobs },
  { path: '/jobs/:name', title: 'Job', platform: true, render: renderJob },
];
