import { tenantPath } from '../api.js';
import { h } from '../dom.js';
import { pagedTable } from '../list.js';
import { form } from '../ui.js';

// Finding a role, group or user of the tenant by what an administrator knows (an email, a name)
// rather than by its id: what policies attach to, and whom the simulator decides for.

/**
 * @typedef {'role' | 'group' | 'user'} Kind
 * @type {Record<Kind, { label: string, path: string, filter: string | null, name: (row: any) => string }>}
 */
const KINDS = {
  role: {
    label: 'Roles',
    path: '/roles',
    filter: null,
    name: (r) => (r.system ? `${r.name} (system role)` : r.name),
  },
  group: { label: 'Groups', path: '/groups', filter: 'name', name: (g) => g.name },
  user: {
    label: 'Users',
    path: '/users',
    filter: 'email',
    name: (u) => (u.name ? `${u.email} (${u.name})` : u.email),
  },
};

/**
 * A search form and a paged table of what it finds, each row with `actions(kind, row)`.
 * @param {any} ctx
 * @param {{ kinds: Kind[], caption: string, actions: (kind: Kind, row: any) => unknown }} spec
 */
export function targetFinder(ctx, spec) {
  let kind = spec.kinds[0];
  let search = '';
  const list = pagedTable({
    caption: spec.caption,
    empty: 'Nothing matches.',
    columns: [
      { label: 'Name', value: (row) => KINDS[kind].name(row) },
      { label: 'Id', value: (row) => h('code', {}, row.id) },
      { label: 'Actions', value: (row) => h('div', { class: 'actions' }, spec.actions(kind, row)) },
    ],
    load: (cursor) => {
      const { path, filter } = KINDS[kind];
      return ctx.api.get(tenantPath(ctx.slug, path), {
        cursor,
        limit: 10,
        ...(filter && search ? { [filter]: search } : {}),
      });
    },
  });
  const hints = spec.kinds.map((k) =>
    KINDS[k].filter ? `${KINDS[k].label} by ${KINDS[k].filter} prefix` : `${KINDS[k].label} are all listed`,
  );
  const searchForm = form({
    fields: [
      spec.kinds.length > 1 && {
        name: 'kind',
        label: 'Kind',
        type: 'select',
        value: kind,
        options: spec.kinds.map((k) => [k, KINDS[k].label]),
      },
      { name: 'search', label: 'Search', hint: `${hints.join('; ')}.` },
    ].filter(Boolean),
    submit: 'Find',
    async onSubmit(values) {
      kind = values.kind ?? kind;
      search = values.search.trim();
      await list.reload();
    },
  });
  searchForm.classList.add('inline');
  return h('div', {}, searchForm, list);
}
