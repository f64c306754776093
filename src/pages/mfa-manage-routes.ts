import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import type { FactorAnswer } from '../mfa/index.ts';
import { type FormBody, field } from './form.ts';
import { messageBody } from './layout.ts';
import { humanMessage } from './messages.ts';
import { assertMfaInUse } from './mfa-setup-routes.ts';
import { type MfaDisableView, mfaDisableBody, newCodesBody, recoveryCodesBody } from './mfa-views.ts';
import { type FormGuards, mfaFormPost, type PageContext, tenantOf } from './page-deps.ts';
import { frameOf, seeOther, sendPage } from './render.ts';
import { ACCOUNT_PAGE } from './return-to.ts';
import { PageRedirect, type SignedIn } from './signed-in.ts';

const NEED = { permission: 'self:update' } as const;

/** One field takes either answer: six digits are an authenticator code, anything else a recovery code. */
const answerOf = (value: string): FactorAnswer =>
  /^\d{6}$/.test(value) ? { code: value } : { recovery_code: value };

/** New recovery codes, and turning the second factor off; both only for someone who has one. */
export function mfaManageRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const { services, signedIn } = ctx;
  const post = mfaFormPost(guards);

  /** The person, with an authenticator to manage; without one, the set-up page. */
  async function enrolled(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn> {
    assertMfaInUse(request);
    const who = await signedIn.require(request, reply, NEED);
    const status = await services.mfa.status(tenantOf(request), who.user.id);
    if (!status.totp.enrolled) throw new PageRedirect('mfa-setup');
    return who;
  }

  const showNewCodes = (request: FastifyRequest, reply: FastifyReply, status: number, codeError?: string) =>
    sendPage(reply, status, {
      ...frameOf(request, 'New recovery codes'),
      body: newCodesBody({ csrf: reply.generateCsrf(), codeError }),
    });

  app.get(
    '/t/:tenant/recovery-codes',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      await enrolled(request, reply);
      return showNewCodes(request, reply, 200);
    },
  );

  app.post('/t/:tenant/recovery-codes', post, async (request, reply) => {
    const who = await enrolled(request, reply);
    const code = field(request.body as FormBody, 'code', 16).trim();
    if (!/^\d{6}$/.test(code))
      return showNewCodes(request, reply, 422, 'Enter the 6-digit code your app shows.');
    let codes: string[];
    try {
      codes = await services.mfa.regenerateRecoveryCodes(tenantOf(request), who.user.id, code);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return showNewCodes(request, reply, error.status, humanMessage(error));
    }
    return sendPage(reply, 200, {
      ...frameOf(request, 'New recovery codes'),
      body: recoveryCodesBody({
        intro: 'Your old recovery codes no longer work.',
        codes,
        next: ACCOUNT_PAGE,
      }),
    });
  });

  const showDisable = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    errors: Omit<MfaDisableView, 'csrf'> = {},
  ) => {
    const title = 'Turn off two-step verification';
    // A tenant that requires a second factor keeps it on; the page says so rather than offer a form.
    if (request.tenantSettings.mfa === 'required')
      return sendPage(reply, 409, {
        ...frameOf(request, title),
        body: messageBody(humanMessage(new AppError('IAM_ERR_MFA_REQUIRED_BY_TENANT')), {
          href: ACCOUNT_PAGE,
          text: 'Back to your account',
        }),
      });
    return sendPage(reply, status, {
      ...frameOf(request, title),
      body: mfaDisableBody({ csrf: reply.generateCsrf(), ...errors }),
    });
  };

  app.get(
    '/t/:tenant/mfa-disable',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      await enrolled(request, reply);
      return showDisable(request, reply, 200);
    },
  );

  app.post('/t/:tenant/mfa-disable', post, async (request, reply) => {
    const who = await enrolled(request, reply);
    const body = request.body as FormBody;
    const password = field(body, 'password');
    const code = field(body, 'code', 64).trim();
    if (!password || !code)
      return showDisable(request, reply, 422, {
        ...(password ? {} : { passwordError: 'Enter your password.' }),
        ...(code ? {} : { codeError: 'Enter a code from your app, or a recovery code.' }),
      });
    try {
      await services.mfa.disable(tenantOf(request), who.user.id, password, answerOf(code));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const message = humanMessage(error);
      if (error.code === 'IAM_ERR_WRONG_PASSWORD')
        return showDisable(request, reply, error.status, { passwordError: message });
      if (error.code === 'IAM_ERR_MFA_CODE_INVALID')
        return showDisable(request, reply, error.status, { codeError: message });
      return showDisable(request, reply, error.status, { error: message });
    }
    return seeOther(reply, 'account?done=mfa-off');
  });
}
