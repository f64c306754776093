import { confirmAction } from '../dialog.js';
import { append, h } from '../dom.js';
import { details, pagedTable, time } from '../list.js';
import { to } from '../router.js';
import { attempt, button, form, heading, link } from '../ui.js';

// The platform operators' screens: /v1/tenants answers platform tokens only. The platform tenant
// itself is listed but offers no changes, since the API refuses any (IAM_ERR_TENANT_PROTECTED).

const PLATFORM = 'platform';

/** Active in green, anything else (suspended, deactivated) in red. @param {string} status */
export const statusBadge = (status) =>
  h('span', { class: status === 'active' ? 'badge allow' : 'badge deny' }, status);

/** @param {string} slug */
const tenantUrl = (slug) => `/v1/tenants/${encodeURIComponent(slug)}`;

/**
 * Suspend / Reactivate and Delete buttons for a tenant; `after` runs once a change is made,
 * problems land in `where`.
 * @param {any} ctx @param {any} tenant @param {HTMLElement} where
 * @param {(change: 'status' | 'deleted') => unknown} after
 */
function tenantActions(ctx, tenant, where, after) {
  if (tenant.slug === PLATFORM) return null;
  const slug = tenant.slug;
  const suspend = tenant.status === 'active';
  return [
    button(
      suspend ? 'Suspend' : 'Reactivate',
      async () => {
        // Suspension ends every sign-in and token of the tenant at once; reactivation harms nobody.
        const question = `Suspend ${slug}? Nobody can sign in to it and its tokens stop working until it is reactivated.`;
        if (suspend && !(await confirmAction(question, `Suspend ${slug}`))) return;
        await attempt(
          where,
          async () => {
            await ctx.api.patch(tenantUrl(slug), { status: suspend ? 'suspended' : 'active' });
            await after('status');
          },
          suspend ? `${slug} is suspended.` : `${slug} is active again.`,
        );
      },
      { 'aria-label': `${suspend ? 'Suspend' : 'Reactivate'} ${slug}` },
    ),
    button(
      'Delete',
      async () => {
        const question = `Delete the tenant ${slug}? It disappears at once with its users, and its data is purged after the retention period.`;
        if (!(await confirmAction(question, `Delete ${slug}`))) return;
        await attempt(
          where,
          async () => {
            await ctx.api.del(tenantUrl(slug));
            await after('deleted');
          },
          `${slug} is deleted.`,
        );
      },
      { class: 'danger', 'aria-label': `Delete ${slug}` },
    ),
  ];
}

/** Links to a tenant's own screens. @param {string} slug */
const manageLinks = (slug) =>
  h(
    'div',
    { class: 'actions' },
    h('a', { href: to('t', slug, 'users'), 'aria-label': `Users of ${slug}` }, 'Users'),
    h('a', { href: to('t', slug, 'settings'), 'aria-label': `Settings of ${slug}` }, 'Settings'),
  );

/** @param {any} ctx */
function renderList(ctx) {
  let status = ctx.query.get('status') ?? '';
  const problem = h('div', {});
  const list = pagedTable({
    caption: 'Tenants',
    empty: 'No tenants match.',
    columns: [
      { label: 'Slug', value: (t) => link(to('tenants', t.slug), t.slug) },
      { label: 'Name', value: (t) => t.display_name },
      { label: 'Status', value: (t) => statusBadge(t.status) },
      { label: 'Created', value: (t) => time(t.created_at) },
      { label: 'Manage', value: (t) => manageLinks(t.slug) },
      {
        label: 'Actions',
        value: (t) =>
          h(
            'div',
            { class: 'actions' },
            tenantActions(ctx, t, problem, () => list.reload()),
          ),
      },
    ],
    load: (cursor) => ctx.api.get('/v1/tenants', { status, cursor, limit: 25 }),
  });
  const filter = form({
    fields: [
      {
        name: 'status',
        label: 'Status',
        type: 'select',
        value: status,
        options: [
          ['', 'Any'],
          ['active', 'Active'],
          ['suspended', 'Suspended'],
        ],
      },
    ],
    submit: 'Filter',
    async onSubmit(values) {
      status = values.status;
      await list.reload();
    },
  });
  filter.classList.add('inline');
  append(ctx.main, [
    heading('Tenants'),
    h(
      'details',
      {},
      h('summary', {}, 'Create a tenant'),
      form({
        fields: [
          {
            name: 'slug',
            label: 'Slug',
            required: true,
            hint: 'Lowercase letters, digits and inner hyphens, 3–63 characters; it names the tenant in every URL and cannot change.',
          },
          { name: 'display_name', label: 'Display name', required: true },
          {
            name: 'admin_email',
            label: 'First administrator’s email',
            type: 'email',
            hint: 'Optional: this person gets the admin role and an email inviting them to set a password.',
          },
        ],
        submit: 'Create tenant',
        async onSubmit(values) {
          const body = { slug: values.slug.trim(), display_name: values.display_name };
          if (values.admin_email.trim()) body.admin_email = values.admin_email.trim();
          const tenant = await ctx.api.post('/v1/tenants', body);
          ctx.go(to('tenants', tenant.slug));
        },
        done: 'Tenant created.',
      }),
    ),
    filter,
    problem,
    list,
  ]);
}

/** @param {any} ctx */
async function renderTenant(ctx) {
  const tenant = await ctx.api.get(tenantUrl(ctx.params.tenant));
  const slug = tenant.slug;
  const problem = h('div', {});
  const actions = tenantActions(ctx, tenant, problem, (change) =>
    ctx.go(change === 'deleted' ? to('tenants') : location.hash),
  );
  append(ctx.main, [
    heading(tenant.display_name, ...(actions ?? [])),
    problem,
    details([
      ['Slug', h('code', {}, slug)],
      ['Display name', tenant.display_name],
      ['Status', statusBadge(tenant.status)],
      ['Created', time(tenant.created_at)],
      ['Updated', time(tenant.updated_at)],
      ['Id', h('code', {}, tenant.id)],
    ]),
    h('h2', {}, 'Manage'),
    h(
      'ul',
      {},
      h('li', {}, link(to('t', slug, 'users'), 'Users')),
      h('li', {}, link(to('t', slug, 'settings'), 'Settings')),
      h('li', {}, link(to('t', slug, 'events'), 'Events')),
    ),
    slug !== PLATFORM && [
      h('h2', {}, 'Rename'),
      form({
        fields: [{ name: 'display_name', label: 'Display name', value: tenant.display_name, required: true }],
        submit: 'Save name',
        async onSubmit(values) {
          await ctx.api.patch(tenantUrl(slug), { display_name: values.display_name });
          ctx.go(location.hash);
        },
        done: 'Name saved.',
      }),
    ],
  ]);
}

export const routes = [
  { path: '/tenants', title: 'Tenants', render: renderList, platform: true },
  { path: '/tenants/:tenant', title: 'Tenant', render: renderTenant, platform: true },
];
