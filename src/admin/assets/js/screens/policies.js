import { tenantPath } from '../api.js';
import { h } from '../dom.js';
import { pagedTable, time } from '../list.js';
import { to } from '../router.js';
import { form, heading, link } from '../ui.js';
import { pretty, readJson, TEMPLATE, withFragments } from './policy-document.js';
import { renderPolicy } from './policy-editor.js';
import { routes as simulator } from './simulator.js';

// The tenant's policies: documents of Allow and Deny statements, attached to roles, groups and users.

/** @param {any} ctx */
function render(ctx) {
  const list = pagedTable({
    caption: 'Policies',
    empty: 'No policies yet.',
    columns: [
      { label: 'Name', value: (p) => link(to('t', ctx.slug, 'policies', p.id), p.name) },
      { label: 'Description', value: (p) => p.description || '—' },
      { label: 'Version', value: (p) => String(p.current_version) },
      { label: 'Updated', value: (p) => time(p.updated_at) },
    ],
    load: (cursor) => ctx.api.get(tenantPath(ctx.slug, '/policies'), { cursor, limit: 25 }),
  });
  const create = form({
    fields: [
      {
        name: 'name',
        label: 'Name',
        required: true,
        hint: 'Letters, digits and _ . + = , @ -, starting with a letter or digit; unique in the tenant.',
      },
      { name: 'description', label: 'Description', type: 'textarea', rows: 2 },
      {
        name: 'document',
        label: 'Document (JSON)',
        type: 'textarea',
        rows: 14,
        value: pretty(TEMPLATE),
        hint: 'Statements of Effect (Allow or Deny), Action or NotAction, Resource or NotResource and an optional Condition.',
      },
    ],
    submit: 'Create policy',
    done: 'Policy created.',
    async onSubmit(values) {
      const textarea = /** @type {HTMLTextAreaElement} */ (create.querySelector('[name="document"]'));
      const { value } = readJson(textarea, 'The document');
      let policy;
      try {
        policy = await ctx.api.post(tenantPath(ctx.slug, '/policies'), {
          name: values.name.trim(),
          description: values.description,
          document: value,
        });
      } catch (error) {
        throw withFragments(error, '/document', value);
      }
      ctx.go(to('t', ctx.slug, 'policies', policy.id));
    },
  });
  ctx.main.append(
    heading('Policies', link(to('t', ctx.slug, 'simulator'), 'Simulator')),
    list,
    h('h2', {}, 'New policy'),
    create,
  );
}

export const routes = [
  { path: '/t/:slug/policies', title: 'Policies', render },
  { path: '/t/:slug/policies/:id', title: 'Policy', render: renderPolicy },
  ...simulator,
];
