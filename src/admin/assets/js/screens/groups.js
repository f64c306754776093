import { tenantPath } from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replace } from '../dom.js';
import { details, pagedTable, table, time } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, form, heading, link, problemBox } from '../ui.js';
import { membersSection } from './group-members.js';
import { roleKind } from './roles.js';
import { mergePatch } from './setting-patch.js';

// Groups of users: their members and the roles every member holds through the group.

/** @param {{ name?: string, description?: string }} [group] */
const groupFields = (group = {}) => [
  {
    name: 'name',
    label: 'Name',
    value: group.name,
    required: true,
    hint: 'Unique in the tenant, whatever the case.',
  },
  { name: 'description', label: 'Description', type: 'textarea', rows: 2, value: group.description },
];

/** @param {any} ctx @param {string} id */
const groupPath = (ctx, id) => tenantPath(ctx.slug, `/groups/${encodeURIComponent(id)}`);

/**
 * Asks, then deletes a group; `after` runs once it is gone.
 * @param {any} ctx @param {{ id: string, name: string }} group @param {HTMLElement} where
 * @param {() => unknown} after
 */
async function deleteGroup(ctx, group, where, after) {
  const sure = await confirmAction(
    `Delete the group ${group.name}? Its members stay, but lose the roles they held through it.`,
    'Delete group',
  );
  if (!sure) return;
  await attempt(
    where,
    async () => {
      await ctx.api.del(groupPath(ctx, group.id));
      await after();
    },
    `Group ${group.name} deleted.`,
  );
}

/** @param {any} ctx */
function renderList(ctx) {
  let name = ctx.query.get('name') ?? '';
  const problem = h('div', {});
  const list = pagedTable({
    caption: 'Groups',
    empty: 'No groups match.',
    columns: [
      { label: 'Name', value: (g) => link(to('t', ctx.slug, 'groups', g.id), g.name) },
      { label: 'Description', value: (g) => g.description || '—' },
      { label: 'Created', value: (g) => time(g.created_at) },
      {
        label: 'Actions',
        value: (g) =>
          button('Delete', () => deleteGroup(ctx, g, problem, () => list.reload()), {
            class: 'danger',
            'aria-label': `Delete group ${g.name}`,
          }),
      },
    ],
    load: (cursor) => ctx.api.get(tenantPath(ctx.slug, '/groups'), { name, cursor, limit: 25 }),
  });
  ctx.main.append(
    heading('Groups'),
    form({
      fields: [
        { name: 'name', label: 'Name starts with', value: name, hint: 'Any case; empty for every group.' },
      ],
      submit: 'Filter',
      async onSubmit(values) {
        name = values.name.trim();
        await list.reload();
      },
    }),
    problem,
    list,
    h('h2', {}, 'New group'),
    form({
      fields: groupFields(),
      submit: 'Create group',
      done: 'Group created.',
      async onSubmit(values) {
        const group = await ctx.api.post(tenantPath(ctx.slug, '/groups'), {
          name: values.name,
          description: values.description,
        });
        ctx.go(to('t', ctx.slug, 'groups', group.id));
      },
    }),
  );
}

/** @param {any} ctx */
async function renderGroup(ctx) {
  const path = groupPath(ctx, ctx.params.id);
  const group = await ctx.api.get(path);
  const problem = h('div', {});
  const remove = button(
    'Delete group',
    () => deleteGroup(ctx, group, problem, () => ctx.go(to('t', ctx.slug, 'groups'))),
    {
      class: 'danger',
    },
  );
  ctx.main.append(
    heading(`Group ${group.name}`, remove),
    problem,
    details([
      ['Id', h('code', {}, group.id)],
      ['Created', time(group.created_at)],
      ['Updated', time(group.updated_at)],
    ]),
    h('h2', {}, 'Name and description'),
    form({
      fields: groupFields(group),
      submit: 'Save',
      async onSubmit(values) {
        const changes = mergePatch(
          { name: group.name, description: group.description },
          { name: values.name.trim(), description: values.description },
        );
        if (Object.keys(changes).length === 0) return announce('Nothing changed.');
        await ctx.api.patch(path, changes);
        announce('Group saved.');
        ctx.go(location.hash);
      },
    }),
    ...membersSection(ctx, group, path),
    rolesSection(ctx, group, path),
  );
}

/**
 * The roles every member holds through the group: remove one, or give another.
 * @param {any} ctx @param {{ name: string }} group @param {string} path
 */
function rolesSection(ctx, group, path) {
  const body = h('div', {});
  // The table and form are rebuilt after each change; focus returns to the section's heading.
  const title = h('h2', { id: 'group-roles', tabindex: '-1' }, 'Roles');
  async function show() {
    body.setAttribute('aria-busy', 'true');
    try {
      // Tenants have a handful of roles; the first 200 fill the picker.
      const [held, all] = await Promise.all([
        ctx.api.get(`${path}/roles`),
        ctx.api.get(tenantPath(ctx.slug, '/roles'), { limit: 200 }),
      ]);
      const heldIds = new Set(held.roles.map((/** @type {any} */ r) => r.id));
      const problem = h('div', {});
      const others = all.items.filter((/** @type {any} */ r) => !heldIds.has(r.id));
      replace(
        body,
        problem,
        table({
          caption: `Roles of ${group.name}`,
          empty: 'The group gives no role.',
          columns: [
            { label: 'Role', value: (r) => link(to('t', ctx.slug, 'roles', r.id), r.name) },
            { label: 'Kind', value: roleKind },
            { label: 'Description', value: (r) => r.description || '—' },
            {
              label: 'Actions',
              value: (r) =>
                button(
                  'Remove',
                  async () => {
                    const sure = await confirmAction(
                      `Take the role ${r.name} from ${group.name}? Its members lose it unless they hold it otherwise.`,
                      'Remove role',
                    );
                    if (!sure) return;
                    await attempt(
                      problem,
                      async () => {
                        await ctx.api.del(`${path}/roles/${encodeURIComponent(r.id)}`);
                        await show();
                        title.focus();
                      },
                      `Role ${r.name} removed from the group.`,
                    );
                  },
                  { class: 'danger', 'aria-label': `Remove role ${r.name}` },
                ),
            },
          ],
          rows: held.roles,
        }),
        others.length > 0 &&
          form({
            fields: [
              {
                name: 'role',
                label: 'Role to give',
                type: 'select',
                options: others.map((/** @type {any} */ r) => [r.id, r.name]),
                hint: all.next_cursor ? 'The first 200 roles of the tenant are listed.' : undefined,
              },
            ],
            submit: 'Give role',
            done: 'Role given to the group.',
            async onSubmit(values) {
              await ctx.api.put(`${path}/roles/${encodeURIComponent(values.role)}`);
              await show();
              title.focus();
            },
          }),
      );
    } catch (error) {
      replace(body, problemBox(error));
    } finally {
      body.removeAttribute('aria-busy');
    }
  }
  void show();
  return h('section', { 'aria-labelledby': 'group-roles' }, title, body);
}

export const routes = [
  { path: '/t/:slug/groups', title: 'Groups', render: renderList },
  { path: '/t/:slug/groups/:id', title: 'Group', render: renderGroup },
];
