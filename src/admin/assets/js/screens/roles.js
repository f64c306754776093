import { tenantPath } from '../api.js';
import { confirmAction } from '../dialog.js';
import { h } from '../dom.js';
import { details, pagedTable, time } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, form, heading, link } from '../ui.js';
import {
  loadCatalogue,
  permissionCodes,
  permissionList,
  permissionPicker,
  withPicker,
} from './role-permissions.js';
import { mergePatch } from './setting-patch.js';

// Roles: named sets of permissions given to users and groups. The three system roles are built
// in and read-only; custom roles are created, changed and deleted here.

const PLATFORM = 'platform';

/** @param {{ system: boolean }} role */
export const roleKind = (role) => (role.system ? h('span', { class: 'badge' }, 'system') : 'custom');

/**
 * The name and description fields of a role, for creating or editing one.
 * @param {{ name?: string, description?: string }} [role]
 */
const roleFields = (role = {}) => [
  {
    name: 'name',
    label: 'Name',
    value: role.name,
    required: true,
    hint: 'Lowercase letters, digits, _, . and -, starting with a letter or digit. Policies see it in subject.roles.',
  },
  { name: 'description', label: 'Description', type: 'textarea', rows: 2, value: role.description },
];

/** @param {any} ctx */
async function renderList(ctx) {
  const entries = await loadCatalogue(ctx.api);
  const list = pagedTable({
    caption: 'Roles',
    empty: 'No roles.',
    columns: [
      { label: 'Name', value: (r) => link(to('t', ctx.slug, 'roles', r.id), r.name) },
      { label: 'Kind', value: roleKind },
      { label: 'Description', value: (r) => r.description || '—' },
      { label: 'Permissions', value: (r) => permissionCodes(r.permissions) },
    ],
    load: (cursor) => ctx.api.get(tenantPath(ctx.slug, '/roles'), { cursor, limit: 25 }),
  });
  const picker = permissionPicker({ entries, selected: [], platform: ctx.slug === PLATFORM, allowAll: true });
  const create = form({
    fields: roleFields(),
    submit: 'Create role',
    done: 'Role created.',
    async onSubmit(values) {
      const role = await ctx.api.post(tenantPath(ctx.slug, '/roles'), {
        name: values.name.trim(),
        description: values.description,
        permissions: picker.value(),
      });
      ctx.go(to('t', ctx.slug, 'roles', role.id));
    },
  });
  ctx.main.append(heading('Roles'), list, h('h2', {}, 'New role'), withPicker(create, picker));
}

/** @param {any} ctx */
async function renderRole(ctx) {
  const path = tenantPath(ctx.slug, `/roles/${encodeURIComponent(ctx.params.id)}`);
  const [role, entries] = await Promise.all([ctx.api.get(path), loadCatalogue(ctx.api)]);
  const facts = details([
    ['Kind', roleKind(role)],
    ['Id', h('code', {}, role.id)],
    ['Created', time(role.created_at)],
    ['Updated', time(role.updated_at)],
  ]);
  if (role.system) {
    ctx.main.append(
      heading(`Role ${role.name}`),
      h(
        'p',
        {},
        'A system role, built into every tenant: it cannot be changed or deleted. ',
        'To grant a different set of permissions, create a custom role.',
      ),
      facts,
      h('h2', {}, 'Description'),
      h('p', {}, role.description || '—'),
      h('h2', {}, 'Permissions'),
      permissionList(entries, role.permissions),
    );
    return;
  }
  const problem = h('div', {});
  const remove = button(
    'Delete role',
    async () => {
      const sure = await confirmAction(
        `Delete the role ${role.name}? Every user and group holding it loses it, and the policy attachments naming it are removed.`,
        'Delete role',
      );
      if (!sure) return;
      await attempt(
        problem,
        async () => {
          await ctx.api.del(path);
          ctx.go(to('t', ctx.slug, 'roles'));
        },
        'Role deleted.',
      );
    },
    { class: 'danger' },
  );
  const picker = permissionPicker({
    entries,
    selected: role.permissions,
    platform: ctx.slug === PLATFORM,
    allowAll: true,
  });
  const edit = form({
    fields: roleFields(role),
    submit: 'Save role',
    async onSubmit(values) {
      const changes = mergePatch(
        { name: role.name, description: role.description, permissions: [...role.permissions].sort() },
        { name: values.name.trim(), description: values.description, permissions: picker.value().sort() },
      );
      if (Object.keys(changes).length === 0) return announce('Nothing changed.');
      await ctx.api.patch(path, changes);
      announce('Role saved.');
      ctx.go(location.hash);
    },
  });
  ctx.main.append(heading(`Role ${role.name}`, remove), problem, facts, withPicker(edit, picker));
}

export const routes = [
  { path: '/t/:slug/roles', title: 'Roles', render: renderList },
  { path: '/t/:slug/roles/:id', title: 'Role', render: renderRole },
];
