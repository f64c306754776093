import { h, replace } from '../dom.js';
import { to } from '../router.js';
import { form, heading } from '../ui.js';

// Sign-in to the console is the API's own sign-in, in its browser mode: the same lockout, captcha
// threshold, bot filter and MFA apply, and the console sees no password after this form.

/** @param {any} ctx */
function render(ctx) {
  const step = h('div', {});
  const tenant = ctx.query.get('tenant') ?? 'platform';
  const afterSignIn = () => {
    void ctx.refreshChrome();
    ctx.go(ctx.session.home === 'platform' ? to('tenants') : to('t', ctx.session.home, 'users'));
  };
  /** @param {string} slug @param {{ mfa_token: string }} challenge */
  const mfaStep = (slug, challenge) =>
    replace(
      step,
      h('p', {}, 'Enter the code from your authenticator app, or one of your recovery codes.'),
      form({
        fields: [
          { name: 'code', label: 'Authenticator code', autocomplete: 'one-time-code', hint: 'Six digits.' },
          { name: 'recovery_code', label: 'Or a recovery code' },
        ],
        submit: 'Verify',
        async onSubmit(values) {
          const answer = values.recovery_code
            ? { recovery_code: values.recovery_code }
            : { code: values.code };
          await ctx.session.verify(slug, challenge.mfa_token, answer);
          afterSignIn();
        },
      }),
    );
  replace(
    step,
    form({
      fields: [
        { name: 'tenant', label: 'Tenant', value: tenant, required: true, hint: 'Operators: platform.' },
        { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'username' },
        {
          name: 'password',
          label: 'Password',
          type: 'password',
          required: true,
          autocomplete: 'current-password',
        },
      ],
      submit: 'Sign in',
      async onSubmit(values) {
        const slug = String(values.tenant).trim().toLowerCase();
        const challenge = await ctx.session.signIn(slug, values.email, values.password);
        if (challenge) mfaStep(slug, challenge);
        else afterSignIn();
      },
    }),
  );
  ctx.main.append(heading('Sign in to the console'), step);
}

export const routes = [{ path: '/sign-in', title: 'Sign in', render }];
