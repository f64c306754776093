import { tenantPath } from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replace } from '../dom.js';
import { pagedTable, table } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, form } from '../ui.js';

// A group's members: listed page by page, removed one at a time or selected and removed together,
// and added in bulk by pasted ids or emails or from a user search. The bulk route takes user ids
// only, so emails are first looked up through the users list.

/** The bulk route's limit per request. */
const BATCH = 1000;

/** How each per-user result of the bulk route reads. */
const OUTCOMES = {
  added: 'added',
  already_member: 'already a member',
  removed: 'removed',
  not_member: 'not a member',
  not_found: 'not found',
};

/** Email look-ups in flight at once. */
const LOOKUPS = 8;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** @param {string} email */
const normalized = (email) => email.trim().normalize('NFC').toLowerCase();

/** A checkbox that labels itself after the user it selects. @param {string} label @param {boolean} checked @param {(on: boolean) => void} onToggle */
const selectBox = (label, checked, onToggle) =>
  h('input', {
    type: 'checkbox',
    'aria-label': label,
    checked,
    onchange: (/** @type {Event} */ e) => onToggle(/** @type {HTMLInputElement} */ (e.target).checked),
  });

/**
 * @param {any} ctx @param {{ name: string }} group @param {string} path the group's API path
 */
export function membersSection(ctx, group, path) {
  /** Members selected for removal, kept across pages: id → email. @type {Map<string, string>} */
  const selected = new Map();
  const problem = h('div', {});
  // What the last bulk change did, under the control that made it.
  const removed = h('p', { class: 'hint' });
  const added = h('p', { class: 'hint' });
  const addProblem = h('div', {});

  /**
   * Adds or removes users through the bulk route, says what happened, and returns the entries that
   * matched no user.
   * @param {'add' | 'remove'} change @param {string[]} ids @param {string[]} [unmatched] entries no user was found for
   */
  async function apply(change, ids, unmatched = []) {
    const outcome = change === 'add' ? added : removed;
    /** @type {{ user_id: string, result: keyof typeof OUTCOMES }[]} */
    const results = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const answer = await ctx.api.post(`${path}/members`, { [change]: ids.slice(i, i + BATCH) });
      results.push(...answer.results);
    }
    /** @type {Map<string, number>} */
    const counts = new Map();
    for (const r of results) counts.set(r.result, (counts.get(r.result) ?? 0) + 1);
    if (unmatched.length > 0) counts.set('not_found', (counts.get('not_found') ?? 0) + unmatched.length);
    const summary = [...counts].map(([result, n]) => `${n} ${OUTCOMES[result]}`).join(', ') || 'No change';
    const missing = [...unmatched, ...results.filter((r) => r.result === 'not_found').map((r) => r.user_id)];
    replace(outcome, `${summary}.`, missing.length > 0 && ` No such user: ${missing.join(', ')}.`);
    announce(`${summary}.`);
    await members.reload();
    return missing;
  }

  const removeSelected = button(
    'Remove selected members',
    async () => {
      const emails = [...selected.values()];
      const named =
        emails.length > 10
          ? `${emails.slice(0, 10).join(', ')} and ${emails.length - 10} more`
          : emails.join(', ');
      const sure = await confirmAction(
        `Remove ${emails.length} member${emails.length === 1 ? '' : 's'} from ${group.name}: ${named}?`,
        'Remove members',
      );
      if (!sure) return;
      await attempt(problem, async () => {
        await apply('remove', [...selected.keys()]);
        selected.clear();
        syncRemove();
      });
    },
    { class: 'danger' },
  );
  function syncRemove() {
    removeSelected.disabled = selected.size === 0;
    replace(
      removeSelected,
      selected.size === 0 ? 'Remove selected members' : `Remove ${selected.size} selected`,
    );
  }
  syncRemove();

  const members = pagedTable({
    caption: `Members of ${group.name}`,
    empty: 'No members yet.',
    columns: [
      {
        label: 'Select',
        value: (m) =>
          selectBox(`Select ${m.email}`, selected.has(m.id), (on) => {
            if (on) selected.set(m.id, m.email);
            else selected.delete(m.id);
            syncRemove();
          }),
      },
      { label: 'Email', value: userLink },
      { label: 'Name', value: (m) => m.name ?? '—' },
      {
        label: 'Actions',
        value: (m) =>
          button(
            'Remove',
            async () => {
              if (!(await confirmAction(`Remove ${m.email} from ${group.name}?`, 'Remove member'))) return;
              await attempt(
                problem,
                async () => {
                  await ctx.api.del(`${path}/members/${encodeURIComponent(m.id)}`);
                  selected.delete(m.id);
                  syncRemove();
                  await members.reload();
                },
                `${m.email} removed.`,
              );
            },
            { class: 'danger', 'aria-label': `Remove ${m.email}` },
          ),
      },
    ],
    load: (cursor) => ctx.api.get(`${path}/members`, { cursor, limit: 25 }),
  });

  /** @param {{ id: string, email: string }} user */
  function userLink(user) {
    return h('a', { href: to('t', ctx.slug, 'users', user.id) }, user.email);
  }

  /** The live user with exactly this email, through the users list's email-prefix filter. @param {string} email */
  async function findByEmail(email) {
    const page = await ctx.api.get(tenantPath(ctx.slug, '/users'), { email, limit: 10 });
    return page.items.find((/** @type {any} */ u) => normalized(u.email) === normalized(email));
  }

  const paste = form({
    fields: [
      {
        name: 'users',
        label: 'Users to add',
        type: 'textarea',
        rows: 4,
        hint: 'User ids or emails, one per line (commas and spaces separate them too).',
      },
    ],
    submit: 'Add users',
    async onSubmit(values) {
      const entries = [
        ...new Set(
          String(values.users)
            .split(/[\s,;]+/)
            .filter(Boolean),
        ),
      ];
      /** @type {string[]} */
      const ids = [];
      /** @type {string[]} */
      const unmatched = [];
      // A few email look-ups at a time: quick for a pasted list, gentle on the server.
      for (let i = 0; i < entries.length; i += LOOKUPS) {
        const slice = entries.slice(i, i + LOOKUPS);
        const users = await Promise.all(
          slice.map((entry) => (!UUID.test(entry) && entry.includes('@') ? findByEmail(entry) : undefined)),
        );
        slice.forEach((entry, j) => {
          const id = UUID.test(entry) ? entry : users[j]?.id;
          if (id) ids.push(id);
          else unmatched.push(entry);
        });
      }
      const missing = ids.length > 0 ? await apply('add', [...new Set(ids)], unmatched) : unmatched;
      if (ids.length === 0)
        replace(added, unmatched.length > 0 ? `No such user: ${unmatched.join(', ')}.` : 'Nothing to add.');
      // What matched no user stays in the field, to be corrected.
      /** @type {HTMLTextAreaElement} */ (paste.querySelector('textarea')).value = missing.join('\n');
    },
  });

  const found = h('div', {});
  const search = form({
    fields: [{ name: 'q', label: 'Email or name starts with', hint: 'Any case; shows up to 20 of each.' }],
    submit: 'Find users',
    async onSubmit(values) {
      const q = String(values.q).trim();
      if (!q) return replace(found);
      const usersPath = tenantPath(ctx.slug, '/users');
      const pages = await Promise.all([
        ctx.api.get(usersPath, { email: q, limit: 20 }),
        ctx.api.get(usersPath, { name: q, limit: 20 }),
      ]);
      /** @type {Map<string, any>} */
      const users = new Map(pages.flatMap((p) => p.items).map((u) => [u.id, u]));
      /** @type {Set<string>} */
      const picked = new Set();
      const addPicked = button(
        'Add selected users',
        () =>
          attempt(addProblem, async () => {
            if (picked.size === 0) return announce('Select the users to add first.');
            await apply('add', [...picked]);
            replace(found);
          }),
        { class: 'primary' },
      );
      replace(
        found,
        table({
          caption: 'Users found',
          empty: 'No user matches.',
          columns: [
            {
              label: 'Select',
              value: (u) =>
                selectBox(`Select ${u.email}`, false, (on) => (on ? picked.add(u.id) : picked.delete(u.id))),
            },
            { label: 'Email', value: userLink },
            { label: 'Name', value: (u) => u.name ?? '—' },
            { label: 'Status', value: (u) => u.status },
          ],
          rows: [...users.values()],
        }),
        users.size > 0 && h('div', { class: 'actions' }, addPicked),
      );
    },
  });

  return [
    h(
      'section',
      { 'aria-labelledby': 'group-members' },
      h('h2', { id: 'group-members' }, 'Members'),
      problem,
      removed,
      h('div', { class: 'actions' }, removeSelected),
      members,
    ),
    h(
      'section',
      { 'aria-labelledby': 'group-add' },
      h('h2', { id: 'group-add' }, 'Add members'),
      added,
      addProblem,
      paste,
      h('h3', {}, 'Find users'),
      search,
      found,
    ),
  ];
}
