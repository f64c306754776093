import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { captchaSolution, refusalMessage, showCaptcha } from './captcha.ts';
import { type FormBody, field, looksLikeEmail } from './form.ts';
import { linkPasswordRoutes } from './link-password-routes.ts';
import { type FormGuards, type PageContext, tenantOf } from './page-deps.ts';
import { type ForgotView, forgotBody, forgotSentBody } from './public-views.ts';
import { frameOf, sendPage } from './render.ts';

/** Forgot password (asks for the emailed link), and the two emailed links that set a password. */
export function passwordRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const { services } = ctx;

  const showForgot = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: Omit<ForgotView, 'csrf'> = {},
  ) =>
    sendPage(reply, status, {
      ...frameOf(request, 'Forgot your password?'),
      body: forgotBody({ csrf: reply.generateCsrf(), ...view }),
      captcha: view.captcha === true,
    });

  app.get(
    '/t/:tenant/forgot-password',
    { config: { permission: 'public', botFilter: true }, schema: { hide: true } },
    async (request, reply) =>
      showForgot(request, reply, 200, { captcha: await showCaptcha(services.guards, request, '') }),
  );

  app.post(
    '/t/:tenant/forgot-password',
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'password_forgot' },
      schema: { hide: true },
      ...guards,
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const email = field(body, 'email', 320).trim();
      if (!looksLikeEmail(email))
        return showForgot(request, reply, 422, {
          email,
          error: 'Enter a valid email address.',
          captcha: await showCaptcha(services.guards, request, ''),
        });
      try {
        // The same captcha gate as the API's password-forgot, before any lookup of the address.
        await services.guards.requireCaptchaIfDue(
          { tenantId: request.tenant!.id, email, ip: request.ip },
          request.tenantSettings,
          captchaSolution(body),
        );
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return showForgot(request, reply, error.status, {
          email,
          error: refusalMessage(request, error),
          captcha: await showCaptcha(services.guards, request, email),
        });
      }
      // Deferred by the service so the answer takes as long whether or not the address has an account.
      services.accounts.forgotPassword(tenantOf(request), email);
      return sendPage(reply, 200, {
        ...frameOf(request, 'Check your email'),
        body: forgotSentBody(),
      });
    },
  );

  linkPasswordRoutes(app, ctx, guards, {
    page: 'reset-password',
    title: 'Choose a new password',
    apply: services.accounts.resetPassword,
    again: { href: 'forgot-password', text: 'Ask for a new link' },
    done: {
      title: 'Password changed',
      message: 'Your password was changed and every session was signed out.',
    },
  });

  linkPasswordRoutes(app, ctx, guards, {
    page: 'accept-invitation',
    title: 'Accept your invitation',
    apply: services.accounts.acceptInvitation,
    // Only an administrator can send a new invitation.
    again: undefined,
    done: {
      title: 'Welcome',
      message: 'Your password is set and your account is ready. Sign in to continue.',
    },
  });
}
