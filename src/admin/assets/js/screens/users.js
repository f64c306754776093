import { tenantPath } from '../api.js';
import { append, h, replace } from '../dom.js';
import { pagedTable, time } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, form, heading, link } from '../ui.js';
import { statusBadge } from './tenants.js';
import { routes as detailRoutes } from './user-detail.js';

// A tenant's users: a filtered, keyset-paged list (live users, or the deleted ones that can still
// be restored) and the form that creates or invites a user.

/** The list's filters, as the API's query parameters, all optional. */
const FILTERS = ['email', 'name', 'status', 'role', 'sort', 'include'];

/** @param {any} ctx */
function renderList(ctx) {
  const slug = ctx.slug;
  /** @type {Record<string, string>} */
  const filters = Object.fromEntries(FILTERS.map((name) => [name, ctx.query.get(name) ?? '']));
  const problem = h('div', {});
  const total = h('p', { 'aria-live': 'polite' });
  const holder = h('div', {});

  /** The live users link to their screen; deleted ones can only be restored (the API hides them). */
  const liveColumns = [
    { label: 'Email', value: (u) => link(to('t', slug, 'users', u.id), u.email) },
    { label: 'Name', value: (u) => u.name ?? '—' },
    { label: 'Status', value: (u) => statusBadge(u.status) },
    { label: 'Email verified', value: (u) => (u.email_verified ? 'Yes' : 'No') },
    { label: 'Last sign-in', value: (u) => time(u.last_login_at) },
    { label: 'Created', value: (u) => time(u.created_at) },
  ];
  const deletedColumns = [
    { label: 'Email', value: (u) => u.email },
    { label: 'Name', value: (u) => u.name ?? '—' },
    { label: 'Deleted', value: (u) => time(u.deleted_at) },
    {
      label: 'Actions',
      value: (u) =>
        button(
          'Restore',
          () =>
            attempt(
              problem,
              async () => {
                const restored = await ctx.api.post(tenantPath(slug, `/users/${u.id}/restore`));
                ctx.go(to('t', slug, 'users', restored.id));
              },
              `${u.email} is restored.`,
            ),
          { 'aria-label': `Restore ${u.email}` },
        ),
    },
  ];

  // A new filter builds a new list: deleted users have other columns than live ones.
  function showList() {
    const deleted = filters.include === 'deleted';
    replace(
      holder,
      pagedTable({
        caption: deleted ? 'Deleted users' : 'Users',
        empty: 'No users match.',
        columns: deleted ? deletedColumns : liveColumns,
        async load(cursor) {
          // The total is counted once, with the first page: it costs a query of its own.
          const page = await ctx.api.get(tenantPath(slug, '/users'), {
            ...filters,
            cursor,
            limit: 25,
            count: cursor ? undefined : true,
          });
          // No match is said by the empty table already.
          if (page.total !== undefined)
            replace(
              total,
              page.total > 0 &&
                `${page.total} ${deleted ? 'deleted ' : ''}user${page.total === 1 ? '' : 's'} match.`,
            );
          return page;
        },
      }),
    );
  }

  const filter = form({
    fields: [
      { name: 'email', label: 'Email starts with', value: filters.email, type: 'search' },
      { name: 'name', label: 'Name starts with', value: filters.name, type: 'search' },
      {
        name: 'status',
        label: 'Status',
        type: 'select',
        value: filters.status,
        options: [
          ['', 'Any'],
          ['active', 'Active'],
          ['deactivated', 'Deactivated'],
        ],
      },
      { name: 'role', label: 'Holds role', value: filters.role, placeholder: 'role name' },
      {
        name: 'sort',
        label: 'Order',
        type: 'select',
        value: filters.sort,
        options: [
          ['', 'Oldest first'],
          ['-created_at', 'Newest first'],
          ['email', 'Email A–Z'],
          ['-email', 'Email Z–A'],
        ],
      },
      {
        name: 'include',
        label: 'Deleted users instead',
        type: 'checkbox',
        value: filters.include === 'deleted',
      },
    ],
    submit: 'Search',
    async onSubmit(values) {
      for (const name of FILTERS) filters[name] = typeof values[name] === 'string' ? values[name].trim() : '';
      filters.include = values.include ? 'deleted' : '';
      // Kept in the address, so that coming back from a user returns to the same list.
      const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
      history.replaceState(null, '', `${to('t', slug, 'users')}${query ? `?${query}` : ''}`);
      showList();
    },
  });
  filter.classList.add('inline');

  append(ctx.main, [
    heading('Users'),
    h('details', {}, h('summary', {}, 'Create or invite a user'), createForm(ctx)),
    filter,
    total,
    problem,
    holder,
  ]);
  showList();
}

/** @param {any} ctx */
function createForm(ctx) {
  return form({
    fields: [
      { name: 'email', label: 'Email', type: 'email', required: true },
      { name: 'name', label: 'Name' },
      {
        name: 'password',
        label: 'Password',
        type: 'password',
        autocomplete: 'new-password',
        hint: 'Leave empty to invite them: they get an email to choose their own password.',
      },
      {
        name: 'email_verified',
        label: 'The address is already verified',
        type: 'checkbox',
        hint: 'Otherwise a user created with a password gets an email to confirm the address.',
      },
    ],
    submit: 'Create user',
    async onSubmit(values) {
      const email = values.email.trim();
      /** @type {Record<string, unknown>} */
      const body = { email };
      if (values.name.trim()) body.name = values.name.trim();
      if (values.password) body.password = values.password;
      if (values.email_verified) body.email_verified = true;
      const user = await ctx.api.post(tenantPath(ctx.slug, '/users'), body);
      ctx.go(to('t', ctx.slug, 'users', user.id));
      announce(values.password ? `${email} is created.` : `${email} is invited by email.`);
    },
  });
}

export const routes = [{ path: '/t/:slug/users', title: 'Users', render: renderList }, ...detailRoutes];
