import { tenantPath } from '../api.js';
import { confirmAction } from '../dialog.js';
import { append, h } from '../dom.js';
import { details, table, time } from '../list.js';
import { to } from '../router.js';
import { announce, attempt, button, form, heading, link } from '../ui.js';
import { statusBadge } from './tenants.js';
import { accessSections } from './user-access.js';
import { section } from './user-section.js';

// One user of a tenant: the profile and its changes, the account's status, second factor, sessions
// and deletion; what the user may do (roles, groups, permissions) is in user-access.js.

/** Profile fields that may be cleared: an emptied input sends null. */
const NULLABLE = ['name', 'given_name', 'family_name', 'locale', 'zoneinfo', 'phone_number'];

/**
 * The PATCH body: only the fields that differ from `user`, so that saving an untouched address
 * keeps its verification.
 * @param {any} user @param {Record<string, any>} values
 */
function profileChanges(user, values) {
  /** @type {Record<string, unknown>} */
  const changes = {};
  const email = values.email.trim();
  if (email !== user.email) changes.email = email;
  if (values.email_verified !== user.email_verified) changes.email_verified = values.email_verified;
  for (const name of NULLABLE) {
    const value = values[name].trim() || null;
    if (value !== user[name]) changes[name] = value;
  }
  let attributes;
  try {
    attributes = JSON.parse(values.attributes.trim() || '{}');
  } catch {
    attributes = null;
  }
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
    const message = 'Attributes must be a JSON object, such as {"department": "sales"}.';
    throw Object.assign(new Error(message), { errors: [{ pointer: '/attributes', message }] });
  }
  if (JSON.stringify(attributes) !== JSON.stringify(user.attributes)) changes.attributes = attributes;
  return changes;
}

/**
 * Sends the user's ETag back, so a change someone made since this screen loaded is a 412
 * (IAM_ERR_PRECONDITION_FAILED) rather than silently overwritten.
 * @param {any} ctx @param {any} user @param {string | null} etag @param {(path: string) => string} userPath
 */
function profileForm(ctx, user, etag, userPath) {
  return form({
    fields: [
      { name: 'email', label: 'Email', type: 'email', value: user.email, required: true },
      {
        name: 'email_verified',
        label: 'Email verified',
        type: 'checkbox',
        value: user.email_verified,
        hint: 'A new address is unverified until its owner confirms it, unless this box is changed too.',
      },
      { name: 'name', label: 'Name', value: user.name ?? '' },
      { name: 'given_name', label: 'Given name', value: user.given_name ?? '' },
      { name: 'family_name', label: 'Family name', value: user.family_name ?? '' },
      { name: 'locale', label: 'Locale', value: user.locale ?? '', hint: 'A language tag, such as en-GB.' },
      { name: 'zoneinfo', label: 'Time zone', value: user.zoneinfo ?? '', hint: 'Such as Europe/Paris.' },
      {
        name: 'phone_number',
        label: 'Phone number',
        type: 'tel',
        value: user.phone_number ?? '',
        hint: 'International format, such as +33612345678.',
      },
      {
        name: 'attributes',
        label: 'Attributes',
        type: 'textarea',
        rows: 4,
        value: JSON.stringify(user.attributes, null, 2),
        hint: 'A JSON object; policies see it as the subject’s attributes.',
      },
    ],
    submit: 'Save profile',
    async onSubmit(values) {
      const changes = profileChanges(user, values);
      if (Object.keys(changes).length === 0) return announce('Nothing has changed.');
      await ctx.api.patch(userPath(''), changes, etag);
      ctx.go(location.hash);
      announce('Profile saved.');
    },
  });
}

/** Activate, or deactivate with a reason. @param {any} ctx @param {any} user @param {(path: string) => string} userPath */
function statusControls(ctx, user, userPath) {
  if (user.status === 'deactivated') {
    const problem = h('div', {});
    return [
      h('p', {}, 'Deactivated: ', user.status_reason ?? 'no reason given', '. The user cannot sign in.'),
      problem,
      button(
        'Activate',
        () =>
          attempt(
            problem,
            async () => {
              await ctx.api.post(userPath('/activate'));
              ctx.go(location.hash);
            },
            `${user.email} is active again.`,
          ),
        { class: 'primary' },
      ),
    ];
  }
  return [
    h(
      'p',
      {},
      'Active. Deactivating stops their sign-in and every token they hold until they are activated again.',
    ),
    form({
      fields: [{ name: 'reason', label: 'Reason for deactivating', required: true }],
      submit: 'Deactivate',
      danger: true,
      async onSubmit(values) {
        if (!(await confirmAction(`Deactivate ${user.email}?`, 'Deactivate'))) return;
        await ctx.api.post(userPath('/deactivate'), { reason: values.reason });
        ctx.go(location.hash);
        announce(`${user.email} is deactivated.`);
      },
    }),
  ];
}

/** @param {any} ctx @param {any} user @param {(path: string) => string} userPath */
function mfaControls(ctx, user, userPath) {
  const problem = h('div', {});
  return [
    h(
      'p',
      {},
      'For a user who lost their authenticator: removes it and their recovery codes. They are told by email, then sign in with their password alone, or enrol again where the tenant requires a second factor.',
    ),
    problem,
    button(
      'Reset second factor',
      async () => {
        const question = `Remove the authenticator and recovery codes of ${user.email}?`;
        if (!(await confirmAction(question, 'Reset second factor'))) return;
        await attempt(problem, () => ctx.api.del(userPath('/mfa')), 'Second factor reset.');
      },
      { class: 'danger' },
    ),
  ];
}

/** @param {any} ctx @param {(path: string) => string} userPath */
const sessionsSection = (ctx, userPath) =>
  section('Sessions', async (reload) => {
    // Not paged by the API: a user has a handful of live sessions.
    const { items } = await ctx.api.get(userPath('/sessions'));
    const problem = h('div', {});
    /** @param {any} s */
    async function end(s) {
      const question = s.current
        ? 'This is the session you are using: ending it signs you out of the console.'
        : 'End this session? Its tokens stop working at once and the device must sign in again.';
      if (!(await confirmAction(question, 'End session'))) return;
      await attempt(
        problem,
        async () => {
          await ctx.api.del(userPath(`/sessions/${encodeURIComponent(s.id)}`));
          await reload();
        },
        'Session ended.',
      );
    }
    return [
      problem,
      table({
        caption: 'Live sessions',
        empty: 'No live sessions.',
        rows: items,
        columns: [
          {
            label: 'Started',
            value: (s) => [time(s.created_at), s.current && [' ', h('span', { class: 'badge' }, 'current')]],
          },
          { label: 'Last used', value: (s) => time(s.last_used_at) },
          { label: 'Expires', value: (s) => time(s.expires_at) },
          { label: 'Device', value: (s) => s.user_agent ?? 'unknown' },
          { label: 'IP address', value: (s) => s.ip ?? 'unknown' },
          { label: 'Signed in with', value: (s) => s.amr.join(', ') || '—' },
          {
            label: 'Actions',
            value: (s) =>
              button('End session', () => end(s), {
                class: 'danger',
                'aria-label': `End the session started ${new Date(s.created_at).toLocaleString()}`,
              }),
          },
        ],
      }),
    ];
  });

/** @param {any} ctx @param {any} user @param {(path: string) => string} userPath */
function deleteControls(ctx, user, userPath) {
  const problem = h('div', {});
  return [
    h(
      'p',
      {},
      'The user disappears and their tokens stop working. They can be restored from the deleted users within the tenant’s retention period.',
    ),
    problem,
    button(
      'Delete user',
      async () => {
        if (!(await confirmAction(`Delete ${user.email}?`, `Delete ${user.email}`))) return;
        await attempt(
          problem,
          async () => {
            await ctx.api.del(userPath(''));
            ctx.go(`${to('t', ctx.slug, 'users')}?include=deleted`);
          },
          `${user.email} is deleted.`,
        );
      },
      { class: 'danger' },
    ),
  ];
}

/** @param {any} ctx */
async function render(ctx) {
  /** @param {string} path */
  const userPath = (path) => tenantPath(ctx.slug, `/users/${encodeURIComponent(ctx.params.id)}${path}`);
  const { data: user, etag } = await ctx.api.versioned(userPath(''));
  append(ctx.main, [
    heading(user.email, link(to('t', ctx.slug, 'users'), 'All users')),
    details([
      ['Name', user.name],
      ['Given name', user.given_name],
      ['Family name', user.family_name],
      ['Email verified', user.email_verified ? 'Yes' : 'No'],
      ['Status', statusBadge(user.status)],
      ['Locale', user.locale],
      ['Time zone', user.zoneinfo],
      ['Phone number', user.phone_number],
      ['Last sign-in', time(user.last_login_at)],
      ['Created', time(user.created_at)],
      ['Updated', time(user.updated_at)],
      ['Id', h('code', {}, user.id)],
    ]),
    h('details', {}, h('summary', {}, 'Edit profile'), profileForm(ctx, user, etag, userPath)),
    h('h2', {}, 'Status'),
    statusControls(ctx, user, userPath),
    h('h2', {}, 'Second factor'),
    mfaControls(ctx, user, userPath),
    sessionsSection(ctx, userPath),
    accessSections(ctx, userPath),
    h('h2', {}, 'Delete'),
    deleteControls(ctx, user, userPath),
  ]);
}

export const routes = [{ path: '/t/:slug/users/:id', title: 'User', render }];
