import { tenantPath } from '../api.js';
import { h } from '../dom.js';
import { details, pagedTable, time } from '../list.js';
import { form, heading } from '../ui.js';

// The tenant's event log (its audit trail): what happened, to whom, and who acted.

/** @param {any} ctx */
function render(ctx) {
  let type = ctx.query.get('type') ?? '';
  const list = pagedTable({
    caption: 'Events',
    empty: 'No events match.',
    columns: [
      { label: 'When', value: (e) => time(e.occurred_at) },
      { label: 'Type', value: (e) => h('code', {}, e.type) },
      { label: 'Actor', value: (e) => e.payload.actor_id ?? e.payload.operator_id ?? '—' },
      {
        label: 'Details',
        value: (e) =>
          h(
            'details',
            {},
            h('summary', {}, 'Payload'),
            details(
              Object.entries(e.payload).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]),
            ),
          ),
      },
    ],
    load: (cursor) => ctx.api.get(tenantPath(ctx.slug, '/events'), { type, cursor, limit: 25 }),
  });
  ctx.main.append(
    heading('Events'),
    form({
      fields: [
        {
          name: 'type',
          label: 'Event type',
          value: type,
          placeholder: 'user.* or user.created',
          hint: 'One type, a family such as user.*, or empty for every event.',
        },
      ],
      submit: 'Filter',
      async onSubmit(values) {
        type = values.type.trim();
        await list.reload();
      },
    }),
    list,
  );
}

export const routes = [{ path: '/t/:slug/events', title: 'Events', render }];
