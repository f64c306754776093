import { tenantPath } from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replace, uid } from '../dom.js';
import { details, pagedTable, time } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, form, heading, link, problemBox } from '../ui.js';
import { diffView } from './diff.js';
import { documentProblem, pretty, readJson } from './policy-document.js';
import { targetFinder } from './policy-targets.js';
import { simulation } from './simulator.js';

// One policy: its document in a JSON editor (each save is a new version), the unsaved draft tried
// in the simulator, the versions compared with the current one, and where it is attached.

/** @param {any} ctx */
export async function renderPolicy(ctx) {
  const path = tenantPath(ctx.slug, `/policies/${encodeURIComponent(ctx.params.id)}`);
  let { data: policy, etag } = await ctx.api.versioned(path);

  const problems = h('div', {});
  const top = heading(policy.name, button('Delete policy', remove, { class: 'danger' }));
  const title = /** @type {HTMLElement} */ (top.querySelector('h1'));
  const summary = h('div', {});
  const showSummary = () =>
    replace(
      summary,
      details([
        ['Id', h('code', {}, policy.id)],
        ['Description', policy.description || '—'],
        ['Current version', String(policy.current_version)],
        ['Created', time(policy.created_at)],
        ['Updated', time(policy.updated_at)],
      ]),
    );
  showSummary();

  /** After a save: the new current version everywhere it shows. @param {{ data: any, etag: string | null }} next */
  const saved = (next) => {
    policy = next.data;
    etag = next.etag;
    replace(title, policy.name);
    showSummary();
    void history.reload();
  };

  async function remove() {
    const sure = await confirmAction(
      `Delete the policy ${policy.name}? It is detached from every role, group and user at once, and its ` +
        'versions are lost.',
      'Delete policy',
    );
    if (!sure) return;
    const done = await attempt(problems, () => ctx.api.del(path).then(() => true), `Deleted ${policy.name}.`);
    if (done) ctx.go(to('t', ctx.slug, 'policies'));
  }

  // The document editor.
  const editorId = uid('document');
  const hintId = `${editorId}-hint`;
  const textarea = /** @type {HTMLTextAreaElement} */ (
    h('textarea', { id: editorId, rows: 20, spellcheck: 'false', 'aria-describedby': hintId })
  );
  textarea.value = pretty(policy.document);
  textarea.rows = Math.min(30, Math.max(10, textarea.value.split('\n').length + 1));
  const documentProblems = h('div', {});
  const saveButton = button('Save document', save, { class: 'primary' });

  /** Whether unsaved changes may be replaced (asks when there are some). */
  async function mayReplaceDraft() {
    if (textarea.value === pretty(policy.document)) return true;
    return confirmAction('Your unsaved changes to the document will be lost.', 'Discard changes');
  }

  async function save() {
    replace(documentProblems);
    let sent;
    try {
      sent = readJson(textarea, 'The document');
    } catch (error) {
      replace(documentProblems, problemBox(error));
      return;
    }
    if (JSON.stringify(sent.value) === JSON.stringify(policy.document)) {
      announce('The document has not changed.');
      return;
    }
    saveButton.disabled = true;
    try {
      // If-Match: a version someone saved since this screen loaded is a 412, never overwritten
      // unseen. The screen then shows that version's number and a second Save replaces it.
      saved(await ctx.api.patchVersioned(path, { document: sent.value }, etag));
      textarea.value = pretty(policy.document);
      announce(`Saved version ${policy.current_version}.`);
    } catch (error) {
      if (/** @type {any} */ (error).status === 412) saved(await ctx.api.versioned(path));
      replace(
        documentProblems,
        documentProblem(error, { prefix: '/document', document: sent.value, ranges: sent.ranges, textarea }),
      );
    } finally {
      saveButton.disabled = false;
    }
  }

  const editor = h(
    'div',
    {},
    h(
      'div',
      { class: 'field' },
      h('label', { for: editorId }, 'Document (JSON)'),
      textarea,
      h(
        'span',
        { id: hintId, class: 'hint' },
        '{"Version": "2012-10-17", "Statement": [...]}: each statement has an Effect (Allow or Deny), an ' +
          'Action or NotAction, a Resource or NotResource, and optionally a Sid and a Condition. Each save ' +
          'is a new version; decisions follow at once wherever the policy is attached.',
      ),
    ),
    documentProblems,
    h(
      'div',
      { class: 'actions' },
      saveButton,
      button('Format', () => {
        replace(documentProblems);
        try {
          textarea.value = pretty(readJson(textarea, 'The document').value);
        } catch (error) {
          replace(documentProblems, problemBox(error));
        }
      }),
      button('Revert to the saved document', async () => {
        if (!(await mayReplaceDraft())) return;
        replace(documentProblems);
        textarea.value = pretty(policy.document);
        announce('The editor shows the saved document again.');
      }),
    ),
  );

  // Versions, newest first, each comparable with the current one.
  const comparison = h('div', {});
  const history = pagedTable({
    caption: 'Versions',
    empty: 'No versions.',
    columns: [
      {
        label: 'Version',
        value: (v) => (v.version === policy.current_version ? `${v.version} (current)` : String(v.version)),
      },
      { label: 'Saved', value: (v) => time(v.created_at) },
      { label: 'By', value: (v) => (v.created_by ? h('code', {}, v.created_by) : '—') },
      {
        label: 'Actions',
        value: (v) =>
          h(
            'div',
            { class: 'actions' },
            button('Compare with current', () => compare(v), {
              'aria-label': `Compare version ${v.version} with the current version`,
            }),
            button(
              'Load into the editor',
              async () => {
                if (!(await mayReplaceDraft())) return;
                textarea.value = pretty(v.document);
                textarea.focus();
                announce(`Version ${v.version} is in the editor; save it to make it current.`);
              },
              { 'aria-label': `Load version ${v.version} into the editor` },
            ),
          ),
      },
    ],
    load: (cursor) => ctx.api.get(`${path}/versions`, { cursor, limit: 10 }),
  });

  /** @param {any} version */
  function compare(version) {
    const label = `Version ${version.version} → version ${policy.current_version} (current)`;
    const title = h('h3', { tabindex: '-1' }, label);
    replace(comparison, title, diffView(pretty(version.document), pretty(policy.document), 'Changes'));
    title.focus();
  }

  // Attachments: where the policy is attached now, each detachable, and a finder to attach more.
  const attachProblems = h('div', {});
  /** @param {string} kind @param {string} id */
  const attachmentPath = (kind, id) => `${path}/attachments/${kind}/${encodeURIComponent(id)}`;
  const attached = pagedTable({
    caption: 'Attached to',
    empty: 'Attached to nothing: this policy decides nothing yet.',
    columns: [
      { label: 'Kind', value: (a) => a.target_type },
      { label: 'Name', value: (a) => a.target_name ?? h('code', {}, a.target_id) },
      { label: 'Since', value: (a) => time(a.attached_at) },
      {
        label: 'Actions',
        value: (a) => {
          const name = `${a.target_type} ${a.target_name ?? a.target_id}`;
          return button(
            'Detach',
            async () => {
              const sure = await confirmAction(
                `Detach ${policy.name} from ${name}? Decisions change at once for everyone it applied to through it.`,
                'Detach',
              );
              if (!sure) return;
              const at = attachmentPath(a.target_type, a.target_id);
              await attempt(attachProblems, () => ctx.api.del(at), `Detached ${policy.name} from ${name}.`);
              await attached.reload();
            },
            { 'aria-label': `Detach from ${name}` },
          );
        },
      },
    ],
    load: (cursor) => ctx.api.get(`${path}/attachments`, { cursor, limit: 25 }),
  });
  const finder = targetFinder(ctx, {
    kinds: ['role', 'group', 'user'],
    caption: 'Roles, groups and users',
    actions: (kind, target) => {
      const name = `${kind} ${target.email ?? target.name}`;
      return button(
        'Attach',
        async () => {
          const at = attachmentPath(kind, target.id);
          await attempt(attachProblems, () => ctx.api.put(at), `Attached ${policy.name} to ${name}.`);
          await attached.reload();
        },
        { 'aria-label': `Attach to ${name}` },
      );
    },
  });

  const about = form({
    fields: [
      { name: 'name', label: 'Name', value: policy.name, required: true },
      { name: 'description', label: 'Description', type: 'textarea', rows: 2, value: policy.description },
    ],
    submit: 'Save name and description',
    async onSubmit(values) {
      /** @type {Record<string, string>} */
      const changes = {};
      if (values.name.trim() !== policy.name) changes.name = values.name.trim();
      if (values.description !== policy.description) changes.description = values.description;
      if (Object.keys(changes).length === 0) return announce('Nothing has changed.');
      saved(await ctx.api.patchVersioned(path, changes, etag));
      announce(`Saved version ${policy.current_version}.`);
    },
  });

  ctx.main.append(
    top,
    problems,
    summary,
    h('h2', {}, 'Document'),
    editor,
    h('h2', {}, 'Try the draft'),
    h(
      'p',
      {},
      'Decides a request with the document as it is in the editor, saved or not; nothing is stored.',
    ),
    simulation(ctx, { draft: textarea, level: 'h3' }),
    h('h2', {}, 'Version history'),
    history,
    comparison,
    h('h2', {}, 'Attachments'),
    attachProblems,
    attached,
    h('h3', {}, 'Attach to a role, group or user'),
    finder,
    h(
      'p',
      {},
      link(`${to('t', ctx.slug, 'events')}?type=policy.*`, 'Policy events'),
      ' record every change.',
    ),
    h('h2', {}, 'Name and description'),
    about,
  );
}
