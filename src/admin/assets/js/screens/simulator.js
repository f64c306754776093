import { tenantPath } from '../api.js';
import { h, replace } from '../dom.js';
import { details, table } from '../list.js';
import { to } from '../router.js';
import { announce, button, form, heading } from '../ui.js';
import { pretty, readJson, TEMPLATE, withFragments } from './policy-document.js';
import { targetFinder } from './policy-targets.js';

// Asking "may this subject do this?" without doing it: either with everything a user holds now
// (POST /authz/check) or with documents that are not saved (POST /authz/simulate, which reads and
// stores nothing).

const REASONS = {
  allow: 'An Allow statement applies and no Deny statement does.',
  explicitDeny: 'A Deny statement applies (explicit deny); nothing overrides it.',
  implicitDeny: 'No statement allows it (implicit deny).',
};

/** A matched statement's policy: a saved one links to its screen. @param {any} ctx @param {string} policy */
function policyOf(ctx, policy) {
  const typed = /^\/policies\/(\d+)$/.exec(policy);
  if (typed) return [`Document ${Number(typed[1]) + 1} as typed `, h('code', {}, policy)];
  const saved = /^policy:([^@]+)@(\d+)$/.exec(policy);
  if (!saved) return h('code', {}, policy);
  const [, id, version] = saved;
  const a = h('a', { href: to('t', ctx.slug, 'policies', id) }, `Policy ${id}, version ${version}`);
  // The decision names a policy by its id; its name reads better, when it can be read.
  ctx.api.get(tenantPath(ctx.slug, `/policies/${encodeURIComponent(id)}`)).then(
    (/** @type {any} */ p) => replace(a, `${p.name}, version ${version}`),
    () => {},
  );
  return a;
}

/** @param {any} ctx @param {any} decision @param {string} level  the heading's tag */
function decisionView(ctx, decision, level) {
  const allowed = decision.decision === 'allow';
  return [
    h(level, {}, 'Decision'),
    h(
      'p',
      {},
      h('span', { class: allowed ? 'badge allow' : 'badge deny' }, allowed ? 'Allow' : 'Deny'),
      ' ',
      REASONS[/** @type {keyof REASONS} */ (decision.reason)] ?? decision.reason,
    ),
    decision.error && h('p', {}, `Evaluation failed closed: ${decision.error}`),
    table({
      caption: 'Statements that decided',
      empty: 'No statement matched.',
      rows: decision.matched,
      columns: [
        { label: 'Policy', value: (m) => policyOf(ctx, m.policy) },
        { label: 'Statement', value: (m) => h('code', {}, m.statement) },
        { label: 'Effect', value: (m) => m.effect },
      ],
    }),
    decision.context &&
      h(
        'details',
        {},
        h('summary', {}, 'Context the policies saw'),
        details(
          Object.entries(decision.context).map(([k, v]) => [
            k,
            typeof v === 'object' ? JSON.stringify(v) : String(v),
          ]),
        ),
      ),
  ];
}

/**
 * The request form and its decision. With `draft` (the policy editor's textarea) it simulates that
 * unsaved document; otherwise it asks for a subject and what to decide with.
 * @param {any} ctx
 * @param {{ draft?: HTMLTextAreaElement, level: 'h2' | 'h3', subject?: string }} options
 */
export function simulation(ctx, { draft, level, subject = '' }) {
  const result = h('div', {});
  const own = draft
    ? []
    : [
        {
          name: 'subject',
          label: 'Subject (user id)',
          value: subject,
          hint: 'Find a user above, or paste an id.',
        },
        {
          name: 'using',
          label: 'Decide with',
          type: 'select',
          options: [
            ['held', 'What the subject holds now: its roles and attached policies'],
            ['documents', 'The policy documents below'],
          ],
        },
        {
          name: 'documents',
          label: 'Policy documents',
          type: 'textarea',
          rows: 12,
          value: pretty(TEMPLATE),
          hint:
            'Used when deciding with documents: one document, or an array of up to 20. Nothing is read: ' +
            'the subject id goes into the context as subject.id; put any other subject key (email, roles, ' +
            'groups) into the context yourself.',
        },
      ];
  const el = form({
    fields: [
      ...own,
      { name: 'action', label: 'Action', required: true, placeholder: 'user:read' },
      { name: 'resource', label: 'Resource', placeholder: 'user/123' },
      {
        name: 'context',
        label: 'Context (JSON)',
        type: 'textarea',
        rows: 5,
        value: '{}',
        hint: 'e.g. {"subject": {"mfa": true}, "request": {"ip": "203.0.113.7"}}',
      },
    ],
    submit: draft ? 'Simulate the draft' : 'Decide',
    async onSubmit(values) {
      const field = (/** @type {string} */ name) =>
        /** @type {HTMLTextAreaElement} */ (el.querySelector(`[name="${name}"]`));
      /** @type {Record<string, any>} */
      const context = field('context').value.trim()
        ? readJson(field('context'), 'The context', { object: true }).value
        : {};
      const request = { action: values.action.trim(), resource: values.resource, context };
      let decision;
      if (draft) {
        const { value } = readJson(draft, 'The draft');
        decision = await simulate(ctx, [value], request, '/policies/0', value);
      } else if (values.using === 'held') {
        const id = values.subject.trim();
        if (!id) {
          throw Object.assign(new Error('Choose the subject whose roles and policies decide.'), {
            code: 'No subject',
            errors: [{ pointer: '/subject', message: 'Find a user above, or paste an id.' }],
          });
        }
        decision = await ctx.api.post(tenantPath(ctx.slug, '/authz/check'), { subject: id, ...request });
      } else {
        const { value } = readJson(field('documents'), 'The documents');
        const id = values.subject.trim();
        // /authz/simulate reads nothing, so the subject is known to the documents by its context only.
        if (id) context.subject = { id, ...(typeof context.subject === 'object' ? context.subject : {}) };
        const many = Array.isArray(value);
        decision = await simulate(
          ctx,
          many ? value : [value],
          request,
          many ? '/policies' : '/policies/0',
          value,
        );
      }
      replace(result, decisionView(ctx, decision, level));
      announce(`Decision: ${decision.decision}.`);
    },
  });
  return h('div', {}, el, result);
}

/**
 * POST /authz/simulate; an invalid document's errors say what the document has where they point.
 * @param {any} ctx @param {unknown[]} policies @param {object} request
 * @param {string} prefix  where the typed JSON sits in the body @param {unknown} typed
 */
async function simulate(ctx, policies, request, prefix, typed) {
  try {
    return await ctx.api.post(tenantPath(ctx.slug, '/authz/simulate'), { policies, request });
  } catch (error) {
    throw withFragments(error, prefix, typed);
  }
}

/** @param {any} ctx */
function render(ctx) {
  const panel = simulation(ctx, { level: 'h2', subject: ctx.query.get('subject') ?? '' });
  const subject = /** @type {HTMLInputElement} */ (panel.querySelector('[name="subject"]'));
  ctx.main.append(
    heading('Simulator'),
    h(
      'p',
      {},
      'Decides whether a subject may do an action on a resource, without doing it: with what a user ' +
        'holds now, or with policy documents that are not saved.',
    ),
    h('h2', {}, 'Find a user'),
    targetFinder(ctx, {
      kinds: ['user'],
      caption: 'Users',
      actions: (_kind, user) =>
        button(
          'Use as subject',
          () => {
            subject.value = user.id;
            subject.focus();
            announce(`${user.email} is the subject.`);
          },
          { 'aria-label': `Use ${user.email} as subject` },
        ),
    }),
    h('h2', {}, 'Request'),
    panel,
  );
}

export const routes = [{ path: '/t/:slug/simulator', title: 'Simulator', render }];
