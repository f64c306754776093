import { tenantPath } from '../api.js';
import { confirmAction } from '../dialog.js';
import { h } from '../dom.js';
import { pagedTable, table } from '../list.js';
import { to } from '../router.js';
import { attempt, button, form, link, problemBox } from '../ui.js';
import { section } from './user-section.js';

// What a user may do: the roles they hold (directly or through groups), their groups, and the
// permissions those roles add up to, each with where it comes from.

/** Items separated by commas. @param {unknown[]} items */
const commas = (items) => items.flatMap((item, i) => (i === 0 ? [item] : [', ', item]));

/** @param {string} slug @param {{ id: string, name: string }} group */
const groupLink = (slug, group) => link(to('t', slug, 'groups', group.id), group.name);

/**
 * A picker of the tenant's roles the user does not hold directly. Roles are paged like any list:
 * one page is offered, and "More roles" adds the next.
 * @param {any} ctx @param {(path: string) => string} userPath @param {Set<string>} held
 * @param {() => Promise<void>} after
 */
async function assignForm(ctx, userPath, held, after) {
  /** @param {any[]} roles */
  const options = (roles) =>
    roles.filter((r) => !held.has(r.id)).map((r) => [r.id, r.system ? `${r.name} (system)` : r.name]);
  const rolesPath = tenantPath(ctx.slug, '/roles');
  let page = await ctx.api.get(rolesPath, { limit: 100 });
  const first = options(page.items);
  if (first.length === 0 && !page.next_cursor)
    return h('p', { class: 'empty' }, 'Every role is assigned already.');
  const picker = form({
    fields: [{ name: 'role', label: 'Role to assign', type: 'select', required: true, options: first }],
    submit: 'Assign role',
    async onSubmit(values) {
      await ctx.api.put(userPath(`/roles/${encodeURIComponent(values.role)}`));
      await after();
    },
    done: 'Role assigned.',
  });
  picker.classList.add('inline');
  const select = /** @type {HTMLSelectElement} */ (picker.querySelector('select'));
  const problem = h('div', {});
  const more = button('More roles', () =>
    attempt(problem, async () => {
      page = await ctx.api.get(rolesPath, { limit: 100, cursor: page.next_cursor });
      for (const [value, text] of options(page.items)) select.append(h('option', { value }, text));
      if (!page.next_cursor) more.remove();
      select.focus();
    }),
  );
  return [picker, problem, page.next_cursor && more];
}

/**
 * @param {any} ctx @param {(path: string) => string} userPath
 * @param {() => Promise<void>} permissionsChanged
 */
const rolesSection = (ctx, userPath, permissionsChanged) =>
  section('Roles', async (reload) => {
    const { roles } = await ctx.api.get(userPath('/roles'));
    const problem = h('div', {});
    const changed = async () => {
      await reload();
      await permissionsChanged();
    };
    /** @param {any} role */
    async function unassign(role) {
      const question = `Take the role ${role.name} from this user? Held through a group, it stays.`;
      if (!(await confirmAction(question, `Unassign ${role.name}`))) return;
      await attempt(
        problem,
        async () => {
          await ctx.api.del(userPath(`/roles/${encodeURIComponent(role.id)}`));
          await changed();
        },
        `${role.name} is unassigned.`,
      );
    }
    return [
      problem,
      table({
        caption: 'Roles of the user',
        empty: 'No roles.',
        rows: roles,
        columns: [
          {
            label: 'Role',
            value: (r) => [r.name, r.system && [' ', h('span', { class: 'badge' }, 'system')]],
          },
          {
            label: 'Held',
            value: (r) =>
              commas(
                [r.direct && 'directly', ...r.groups.map((g) => ['through ', groupLink(ctx.slug, g)])].filter(
                  Boolean,
                ),
              ),
          },
          {
            label: 'Actions',
            value: (r) =>
              r.direct
                ? button('Unassign', () => unassign(r), {
                    class: 'danger',
                    'aria-label': `Unassign ${r.name}`,
                  })
                : '—',
          },
        ],
      }),
      // Without role:list the roles held still show; only the picker is refused.
      await assignForm(ctx, userPath, new Set(roles.filter((r) => r.direct).map((r) => r.id)), changed).catch(
        problemBox,
      ),
    ];
  });

/** @param {any} ctx @param {(path: string) => string} userPath */
const permissionsSection = (ctx, userPath) =>
  section('Effective permissions', async () => {
    const { permissions } = await ctx.api.get(userPath('/permissions'));
    return [
      h(
        'p',
        { class: 'hint' },
        'What the user’s roles grant. Policies attached to the tenant may still allow or deny more; the simulator answers for a given request.',
      ),
      // Collapsed: an administrator's roles expand to the whole catalogue.
      permissions.length === 0
        ? h('p', { class: 'empty' }, 'The user’s roles grant no permission.')
        : h(
            'details',
            {},
            h('summary', {}, `${permissions.length} permission${permissions.length === 1 ? '' : 's'}`),
            table({
              caption: 'Effective permissions',
              rows: permissions,
              columns: [
                {
                  label: 'Permission',
                  value: (p) => [
                    h('code', {}, p.permission),
                    p.description && h('div', { class: 'hint' }, p.description),
                  ],
                },
                {
                  label: 'Granted by',
                  value: (p) =>
                    h(
                      'ul',
                      {},
                      p.sources.map((s) =>
                        h(
                          'li',
                          {},
                          'role ',
                          h('strong', {}, s.role),
                          s.granted_as !== p.permission && [' as ', h('code', {}, s.granted_as)],
                          s.group ? [', through group ', groupLink(ctx.slug, s.group)] : ', directly',
                        ),
                      ),
                    ),
                },
              ],
            }),
          ),
    ];
  });

/** @param {any} ctx @param {(path: string) => string} userPath */
export function accessSections(ctx, userPath) {
  const permissions = permissionsSection(ctx, userPath);
  return [
    rolesSection(ctx, userPath, () => permissions.reload()),
    h('h2', {}, 'Groups'),
    pagedTable({
      caption: 'Groups of the user',
      empty: 'The user belongs to no group.',
      columns: [
        { label: 'Group', value: (g) => groupLink(ctx.slug, g) },
        { label: 'Description', value: (g) => g.description || '—' },
      ],
      load: (cursor) => ctx.api.get(userPath('/groups'), { cursor, limit: 25 }),
    }),
    permissions,
  ];
}
