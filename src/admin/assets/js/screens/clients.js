import { tenantPath } from '../api.js';
import { confirmAction, showOnce } from '../dialog.js';
import { h } from '../dom.js';
import { details, pagedTable, time } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, form, heading, link } from '../ui.js';
import { loadCatalogue, permissionCodes, permissionPicker, withPicker } from './role-permissions.js';
import { mergePatch } from './setting-patch.js';

// Service clients: machines that get tokens with the client-credentials grant. Their secret is
// shown once, when the client is created or its secret rotated; the service keeps only a hash.

const PLATFORM = 'platform';

/** The grant types the API accepts, per docs/openapi.json. */
const GRANT_TYPES = ['client_credentials'];

/** @param {{ status: string }} client */
const status = (client) =>
  h('span', { class: client.status === 'active' ? 'badge allow' : 'badge deny' }, client.status);

/** @param {any} ctx */
async function renderList(ctx) {
  const entries = await loadCatalogue(ctx.api);
  const list = pagedTable({
    caption: 'Service clients',
    empty: 'No service clients yet.',
    columns: [
      { label: 'Name', value: (c) => link(to('t', ctx.slug, 'clients', c.id), c.name) },
      { label: 'Client id', value: (c) => h('code', {}, c.client_id) },
      { label: 'Status', value: status },
      { label: 'Permissions', value: (c) => permissionCodes(c.permissions) },
      { label: 'Previous secret works until', value: (c) => time(c.previous_secret_expires_at) },
      { label: 'Created', value: (c) => time(c.created_at) },
    ],
    load: (cursor) => ctx.api.get(tenantPath(ctx.slug, '/clients'), { cursor, limit: 25 }),
  });
  const picker = permissionPicker({
    entries,
    selected: [],
    platform: ctx.slug === PLATFORM,
    allowAll: false,
  });
  const create = form({
    fields: [
      { name: 'name', label: 'Name', required: true },
      {
        name: 'grant_types',
        label: 'Grant types',
        type: 'select',
        multiple: true,
        options: GRANT_TYPES,
        value: GRANT_TYPES,
        hint: 'How the client gets tokens: with its id and secret at the token endpoint.',
      },
    ],
    submit: 'Create client',
    async onSubmit(values) {
      const client = await ctx.api.post(tenantPath(ctx.slug, '/clients'), {
        name: values.name.trim(),
        grant_types: values.grant_types,
        permissions: picker.value(),
      });
      await showOnce(`Client ${client.name} created`, `Secret of ${client.client_id}`, client.client_secret);
      ctx.go(to('t', ctx.slug, 'clients', client.id));
    },
  });
  ctx.main.append(heading('Service clients'), list, h('h2', {}, 'New client'), withPicker(create, picker));
}

/** @param {any} ctx */
async function renderClient(ctx) {
  const path = tenantPath(ctx.slug, `/clients/${encodeURIComponent(ctx.params.id)}`);
  const [client, entries] = await Promise.all([ctx.api.get(path), loadCatalogue(ctx.api)]);
  const problem = h('div', {});
  const remove = button(
    'Delete client',
    async () => {
      const sure = await confirmAction(
        `Delete the client ${client.name}? Its secret and every token it holds stop working at once.`,
        'Delete client',
      );
      if (!sure) return;
      await attempt(
        problem,
        async () => {
          await ctx.api.del(path);
          ctx.go(to('t', ctx.slug, 'clients'));
        },
        'Client deleted.',
      );
    },
    { class: 'danger' },
  );
  const picker = permissionPicker({
    entries,
    selected: client.permissions,
    platform: ctx.slug === PLATFORM,
    allowAll: false,
  });
  const edit = form({
    fields: [
      { name: 'name', label: 'Name', value: client.name, required: true },
      {
        name: 'status',
        label: 'Status',
        type: 'select',
        options: [
          ['active', 'Active'],
          ['disabled', 'Disabled: its tokens are refused at once'],
        ],
        value: client.status,
      },
    ],
    submit: 'Save client',
    async onSubmit(values) {
      const changes = mergePatch(
        { name: client.name, status: client.status, permissions: [...client.permissions].sort() },
        { name: values.name.trim(), status: values.status, permissions: picker.value().sort() },
      );
      if (Object.keys(changes).length === 0) return announce('Nothing changed.');
      await ctx.api.patch(path, changes);
      announce('Client saved.');
      ctx.go(location.hash);
    },
  });
  const rotate = form({
    fields: [
      {
        name: 'overlap_seconds',
        label: 'Previous secret keeps working for (seconds)',
        type: 'number',
        value: 86400,
        hint: 'Time to deploy the new secret: 0 stops the current one at once; at most 2592000 (30 days).',
      },
    ],
    submit: 'Rotate secret',
    danger: true,
    async onSubmit(values) {
      // Empty leaves the API's default overlap (one day).
      const overlap = values.overlap_seconds === '' ? undefined : Number(values.overlap_seconds);
      const sure = await confirmAction(
        `Replace the secret of ${client.name}? ${
          overlap === 0
            ? 'The current secret stops working at once.'
            : `The current secret keeps working for ${overlap ?? 86400} seconds.`
        }`,
        'Rotate secret',
      );
      if (!sure) return;
      const rotated = await ctx.api.post(`${path}/secret`, { overlap_seconds: overlap });
      await showOnce(`New secret of ${client.name}`, `Secret of ${client.client_id}`, rotated.client_secret);
      ctx.go(location.hash);
    },
  });
  ctx.main.append(
    heading(`Client ${client.name}`, remove),
    problem,
    details([
      ['Client id', h('code', {}, client.client_id)],
      ['Status', status(client)],
      ['Grant types', client.grant_types.join(', ')],
      ['Previous secret works until', time(client.previous_secret_expires_at)],
      ['Created', time(client.created_at)],
      ['Updated', time(client.updated_at)],
    ]),
    h('h2', {}, 'Name, status and permissions'),
    withPicker(edit, picker),
    h('h2', {}, 'Rotate the secret'),
    rotate,
  );
}

export const routes = [
  { path: '/t/:slug/clients', title: 'Service clients', render: renderList },
  { path: '/t/:slug/clients/:id', title: 'Service client', render: renderClient },
];
