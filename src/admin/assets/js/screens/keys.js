import { API_ROOT, tenantPath } from '../api.js';
import { confirmAction } from '../dialog.js';
import { h, replace } from '../dom.js';
import { table, time } from '../list.js';
import { announce, form, heading } from '../ui.js';

// The tenant's token signing keys as its JWKS publishes them: the next key (published ahead so
// verifiers fetch it before it signs), the active one, and retired ones kept until their tokens expire.

/** @param {{ state: string }} key */
const state = (key) => h('span', { class: key.state === 'active' ? 'badge allow' : 'badge' }, key.state);

/** @param {{ items: any[] }} keys */
const keyTable = (keys) =>
  table({
    caption: 'Signing keys',
    empty: 'No signing key.',
    columns: [
      { label: 'Key id (kid)', value: (k) => h('code', {}, k.kid) },
      { label: 'Algorithm', value: (k) => k.alg },
      { label: 'Status', value: state },
      { label: 'Created', value: (k) => time(k.created_at) },
      { label: 'Signs from', value: (k) => time(k.activated_at) },
      { label: 'Retired', value: (k) => time(k.retired_at) },
    ],
    rows: keys.items,
  });

/** @param {any} ctx */
async function render(ctx) {
  const path = tenantPath(ctx.slug, '/signing-keys');
  const list = h('div', {}, keyTable(await ctx.api.get(path)));
  const jwks = `${API_ROOT}/t/${encodeURIComponent(ctx.slug)}/.well-known/jwks.json`;
  ctx.main.append(
    heading('Signing keys'),
    h('p', {}, 'Verifiers find these public keys at ', h('a', { href: jwks }, h('code', {}, jwks)), '.'),
    list,
    h('h2', {}, 'Rotate now'),
    h(
      'p',
      {},
      'Keys rotate on the schedule set in Settings. Rotating now publishes a next key, which starts signing once verifiers have had time to fetch it.',
    ),
    form({
      fields: [
        {
          name: 'immediate',
          label: 'Sign with the new key at once',
          type: 'checkbox',
          hint: 'For a key feared compromised: verifiers that have not fetched the new key refuse tokens until they do. Tokens of the old key stay valid until they expire.',
        },
      ],
      submit: 'Rotate signing key',
      danger: true,
      async onSubmit(values) {
        const sure = await confirmAction(
          values.immediate
            ? 'Replace the signing key at once? Verifiers that have not fetched the new key will refuse new tokens until they do.'
            : 'Publish a new signing key, which takes over once verifiers have had time to fetch it?',
          'Rotate signing key',
        );
        if (!sure) return;
        replace(list, keyTable(await ctx.api.post(`${path}/rotate`, { immediate: values.immediate })));
        announce('Signing key rotated.');
      },
    }),
  );
}

export const routes = [{ path: '/t/:slug/keys', title: 'Signing keys', render }];
