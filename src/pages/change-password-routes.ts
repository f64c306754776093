import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { type ChangePasswordView, changePasswordBody } from './account-views.ts';
import { type FormBody, field, queryParam } from './form.ts';
import { humanMessage } from './messages.ts';
import { type FormGuards, type PageContext, tenantOf } from './page-deps.ts';
import { frameOf, seeOther, sendPage } from './render.ts';
import { allowedReturnTo, carryReturnTo } from './return-to.ts';
import { RESTRICTION_PAGES, type SignedIn } from './signed-in.ts';

// The one page a session with an expired password may use (restriction `password_change`).
const NEED = { permission: 'self:update', accepts: 'password_change' } as const;

/** Change the password with the current one; also the forced change after the password expired. */
export function changePasswordRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const { services, signedIn } = ctx;

  const showForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    who: SignedIn,
    status: number,
    view: Pick<ChangePasswordView, 'returnTo' | 'currentError' | 'newError'>,
  ) =>
    sendPage(reply, status, {
      ...frameOf(request, 'Change your password'),
      body: changePasswordBody({
        csrf: reply.generateCsrf(),
        expired: who.principal.restriction === 'password_change',
        minLength: request.tenantSettings.password_policy.min_length,
        ...view,
      }),
    });

  app.get(
    '/t/:tenant/change-password',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const who = await signedIn.require(request, reply, NEED);
      return showForm(request, reply, who, 200, { returnTo: queryParam(request.query, 'return_to') });
    },
  );

  app.post(
    '/t/:tenant/change-password',
    // The current password is guessable here like at sign-in, so the sign-in bucket limits it.
    { config: { permission: 'public', rateLimit: 'login' }, schema: { hide: true }, ...guards },
    async (request, reply) => {
      const who = await signedIn.require(request, reply, NEED);
      const body = request.body as FormBody;
      const current = field(body, 'current_password');
      const next = field(body, 'new_password');
      const returnTo = field(body, 'return_to', 2048);
      if (!current || !next)
        return showForm(request, reply, who, 422, {
          returnTo,
          ...(current ? {} : { currentError: 'Enter your current password.' }),
          ...(next ? {} : { newError: 'Choose a new password.' }),
        });
      try {
        await services.self.changePassword(tenantOf(request), who.user.id, who.session.id, current, next);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        const message = humanMessage(error);
        return showForm(request, reply, who, error.status, {
          returnTo,
          ...(error.code === 'IAM_ERR_WRONG_PASSWORD' ? { currentError: message } : { newError: message }),
        });
      }
      // The change lifted the restriction, or replaced it with enrolment where MFA is required.
      const origins = request.tenantSettings.hosted_pages.allowed_redirect_origins;
      const after = (await signedIn.load(request.tenant!, who.token))?.principal.restriction;
      if (after) return seeOther(reply, carryReturnTo(RESTRICTION_PAGES[after], returnTo, origins));
      return seeOther(reply, allowedReturnTo(returnTo, origins) ?? 'account?done=password');
    },
  );
}
