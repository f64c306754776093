import { tenantPath } from '../api.js';
import { confirmAction } from '../dialog.js';
import { h } from '../dom.js';
import { details, pagedTable, time } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, form, heading, link } from '../ui.js';

// Messages a consumer (email, webhooks) gave up on after its retries: read them, hand them back to
// their consumer once the cause is fixed, or drop them. A tenant's administrators see their own;
// platform operators also see every tenant's at /dead-letters.

/** The API answers at most this many replays per call; a full batch means there may be more. */
const REPLAY_BATCH = 1000;

/**
 * @typedef {{ consumer?: string, type?: string, failed_from?: string, failed_to?: string,
 *   tenant_id?: string }} Filter
 */

/** Where the dead letters in view live: one tenant's, or every tenant's. @param {any} ctx @param {boolean} platform */
function scopeOf(ctx, platform) {
  return platform
    ? {
        api: '/v1/dead-letters',
        where: 'every tenant',
        /** @param {string[]} segments */
        hash: (...segments) => to('dead-letters', ...segments),
      }
    : {
        api: tenantPath(ctx.slug, '/dead-letters'),
        where: `tenant ${ctx.slug}`,
        /** @param {string[]} segments */
        hash: (...segments) => to('t', ctx.slug, 'dead-letters', ...segments),
      };
}

/** A local date-time input's value as an instant; empty stays unset. @param {string} local */
const instant = (local) => (local ? new Date(local).toISOString() : undefined);

/** The filter form's values, without the empty ones. @param {Record<string, string>} values @returns {Filter} */
function readFilter(values) {
  return Object.fromEntries(
    Object.entries({
      consumer: values.consumer.trim(),
      type: values.type.trim(),
      tenant_id: values.tenant_id?.trim(),
      failed_from: instant(values.failed_from),
      failed_to: instant(values.failed_to),
    }).filter(([, v]) => v),
  );
}

/** The filter in words, for the confirmations that act on everything it matches. @param {Filter} f */
function describe(f) {
  const parts = [
    f.consumer && `with consumer “${f.consumer}”`,
    f.type && `with event type “${f.type}”`,
    f.tenant_id && `of the tenant with id ${f.tenant_id}`,
    f.failed_from && `that failed at or after ${new Date(f.failed_from).toLocaleString()}`,
    f.failed_to && `that failed before ${new Date(f.failed_to).toLocaleString()}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : '(no filter: every one of them)';
}

/** @param {any} ctx @param {ReturnType<typeof scopeOf>} scope @param {any} letter */
async function replayOne(ctx, scope, letter) {
  await ctx.api.post(`${scope.api}/${encodeURIComponent(letter.id)}/replay`);
}

/** @param {any} ctx @param {ReturnType<typeof scopeOf>} scope @param {any} letter */
async function deleteOne(ctx, scope, letter) {
  const sure = await confirmAction(
    `Delete the dead letter of ${letter.type ?? 'an unreadable message'} for ${letter.consumer}? The message is lost.`,
    'Delete',
  );
  if (sure) await ctx.api.del(`${scope.api}/${encodeURIComponent(letter.id)}`);
  return sure;
}

/** @param {any} ctx @param {boolean} platform */
function renderList(ctx, platform) {
  const scope = scopeOf(ctx, platform);
  /** @type {Filter} */
  let filter = {};
  const problems = h('div', {});
  const list = pagedTable({
    caption: 'Dead letters',
    empty: 'No dead letters match.',
    columns: [
      { label: 'Failed', value: (d) => link(scope.hash(d.id), new Date(d.failed_at).toLocaleString()) },
      { label: 'Consumer', value: (d) => d.consumer },
      { label: 'Type', value: (d) => (d.type ? h('code', {}, d.type) : 'unreadable') },
      ...(platform
        ? [{ label: 'Tenant', value: (d) => (d.tenant_id ? h('code', {}, d.tenant_id) : '—') }]
        : []),
      { label: 'Attempts', value: (d) => String(d.attempts) },
      { label: 'Last error', value: (d) => d.error },
      {
        label: 'Actions',
        value: (d) =>
          h(
            'div',
            { class: 'actions' },
            button(
              'Replay',
              () =>
                attempt(
                  problems,
                  async () => {
                    await replayOne(ctx, scope, d);
                    await list.reload();
                  },
                  'Replayed one dead letter.',
                ),
              {
                'aria-label': `Replay the dead letter that failed ${new Date(d.failed_at).toLocaleString()}`,
              },
            ),
            button(
              'Delete',
              () =>
                attempt(problems, async () => {
                  if (!(await deleteOne(ctx, scope, d))) return;
                  announce('Deleted one dead letter.');
                  await list.reload();
                }),
              {
                'aria-label': `Delete the dead letter that failed ${new Date(d.failed_at).toLocaleString()}`,
              },
            ),
          ),
      },
    ],
    load: (cursor) => ctx.api.get(scope.api, { ...filter, cursor, limit: 25 }),
  });

  const filters = form({
    fields: [
      {
        name: 'consumer',
        label: 'Consumer',
        placeholder: 'notifications',
        hint: 'e.g. notifications (email) or webhooks.',
      },
      { name: 'type', label: 'Event type', placeholder: 'user.invited' },
      ...(platform ? [{ name: 'tenant_id', label: 'Tenant id', hint: 'A tenant’s id (UUID).' }] : []),
      { name: 'failed_from', label: 'Failed from', type: 'datetime-local', hint: 'Your local time.' },
      { name: 'failed_to', label: 'Failed before', type: 'datetime-local' },
    ],
    submit: 'Filter',
    async onSubmit(values) {
      filter = readFilter(values);
      await list.reload();
    },
  });
  filters.classList.add('inline');

  async function replayMatching() {
    const sure = await confirmAction(
      `Replay every dead letter of ${scope.where} ${describe(filter)}? Each goes back to its consumer once ` +
        '(emails are sent, webhooks delivered).',
      'Replay',
    );
    if (!sure) return;
    await attempt(problems, async () => {
      // Letters that fail again come back with a later failure time: stop at now, or this never ends.
      const upTo = { ...filter, failed_to: filter.failed_to ?? new Date().toISOString() };
      let total = 0;
      let replayed;
      do {
        ({ replayed } = await ctx.api.post(`${scope.api}/replay`, upTo));
        total += replayed;
      } while (replayed === REPLAY_BATCH);
      announce(`Replayed ${total} dead letters.`);
      await list.reload();
    });
  }

  async function purgeMatching() {
    const sure = await confirmAction(
      `Delete every dead letter of ${scope.where} ${describe(filter)}? The messages are lost.`,
      'Purge',
    );
    if (!sure) return;
    await attempt(problems, async () => {
      const { deleted } = await ctx.api.post(`${scope.api}/purge`, filter);
      announce(`Deleted ${deleted} dead letters.`);
      await list.reload();
    });
  }

  ctx.main.append(
    heading(platform ? 'Dead letters of every tenant' : 'Dead letters'),
    filters,
    h(
      'div',
      { class: 'actions' },
      button('Replay all that match', replayMatching),
      button('Purge all that match', purgeMatching, { class: 'danger' }),
    ),
    problems,
    list,
  );
}

/** @param {any} ctx @param {boolean} platform */
async function renderOne(ctx, platform) {
  const scope = scopeOf(ctx, platform);
  const letter = await ctx.api.get(`${scope.api}/${encodeURIComponent(ctx.params.id)}`);
  const problems = h('div', {});
  let body = letter.body;
  try {
    body = JSON.stringify(JSON.parse(letter.body), null, 2);
  } catch {
    // not JSON: shown as received
  }
  ctx.main.append(
    heading(
      'Dead letter',
      button(
        'Replay',
        async () => {
          const done = await attempt(
            problems,
            () => replayOne(ctx, scope, letter).then(() => true),
            'Replayed.',
          );
          if (done) ctx.go(scope.hash());
        },
        { class: 'primary' },
      ),
      button(
        'Delete',
        async () => {
          const done = await attempt(problems, () => deleteOne(ctx, scope, letter));
          if (!done) return;
          announce('Deleted.');
          ctx.go(scope.hash());
        },
        { class: 'danger' },
      ),
    ),
    h('p', {}, link(scope.hash(), 'All dead letters')),
    problems,
    details([
      ['Id', h('code', {}, letter.id)],
      ['Consumer', letter.consumer],
      ['Event type', letter.type ? h('code', {}, letter.type) : 'unreadable'],
      ['Event id', letter.event_id ? h('code', {}, letter.event_id) : null],
      ['Tenant id', letter.tenant_id ? h('code', {}, letter.tenant_id) : null],
      ['Attempts', String(letter.attempts)],
      ['First attempt', time(letter.first_attempt_at)],
      ['Failed', time(letter.failed_at)],
      ['Last error', letter.error],
    ]),
    h('h2', {}, 'Message'),
    h('pre', {}, body),
  );
}

export const routes = [
  { path: '/t/:slug/dead-letters', title: 'Dead letters', render: (ctx) => renderList(ctx, false) },
  { path: '/t/:slug/dead-letters/:id', title: 'Dead letter', render: (ctx) => renderOne(ctx, false) },
  {
    path: '/dead-letters',
    title: 'Dead letters of every tenant',
    platform: true,
    render: (ctx) => renderList(ctx, true),
  },
  {
    path: '/dead-letters/:id',
    title: 'Dead letter',
    platform: true,
    render: (ctx) => renderOne(ctx, true),
  },
];
