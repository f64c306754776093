import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { forgotBody, forgotSentBody, messageBody, resetBody, resetDoneBody } from './account-views.ts';
import { type FormBody, field, looksLikeEmail, queryParam } from './form.ts';
import { humanMessage } from './messages.ts';
import { type FormGuards, type PageContext, tenantOf } from './page-deps.ts';
import { sendPage } from './render.ts';

const LINK_CODES = new Set([
  'IAM_ERR_LINK_INVALID',
  'IAM_ERR_LINK_EXPIRED',
  'IAM_ERR_LINK_USED',
  'IAM_ERR_LINK_SUPERSEDED',
]);

/** Forgot password (asks for the emailed link) and the page that link opens. */
export function passwordRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const { services } = ctx;
  const frame = (request: FastifyRequest, title: string) => ({
    title,
    tenantName: request.tenant!.displayName,
  });

  const showForgot = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: { email?: string; error?: string } = {},
  ) =>
    sendPage(reply, status, {
      ...frame(request, 'Forgot your password?'),
      body: forgotBody({ csrf: reply.generateCsrf(), ...view }),
    });

  app.get(
    '/t/:tenant/forgot-password',
    { config: { permission: 'public', botFilter: true }, schema: { hide: true } },
    async (request, reply) => showForgot(request, reply, 200),
  );

  app.post(
    '/t/:tenant/forgot-password',
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'password_forgot' },
      schema: { hide: true },
      ...guards,
    },
    async (request, reply) => {
      const email = field(request.body as FormBody, 'email', 320).trim();
      if (!looksLikeEmail(email))
        return showForgot(request, reply, 422, { email, error: 'Enter a valid email address.' });
      try {
        // The same captcha gate as the API's password-forgot, before any lookup of the address.
        await services.guards.requireCaptchaIfDue(
          { tenantId: request.tenant!.id, email, ip: request.ip },
          request.tenantSettings,
          undefined,
        );
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return showForgot(request, reply, error.status, { email, error: humanMessage(error) });
      }
      // Deferred by the service so the answer takes as long whether or not the address has an account.
      services.accounts.forgotPassword(tenantOf(request), email);
      return sendPage(reply, 200, { ...frame(request, 'Check your email'), body: forgotSentBody() });
    },
  );

  const showReset = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    token: string,
    error?: string,
  ) =>
    sendPage(reply, status, {
      ...frame(request, 'Choose a new password'),
      body: resetBody({ csrf: reply.generateCsrf(), token, ...(error ? { error } : {}) }),
    });

  const badLink = (request: FastifyRequest, reply: FastifyReply, status: number, message: string) =>
    sendPage(reply, status, {
      ...frame(request, 'Choose a new password'),
      body: messageBody(message, { href: 'forgot-password', text: 'Ask for a new link' }),
    });

  app.get(
    '/t/:tenant/reset-password',
    { config: { permission: 'public', botFilter: true }, schema: { hide: true } },
    async (request, reply) => {
      const token = queryParam(request.query, 'token', 512);
      if (!token) return badLink(request, reply, 400, humanMessage(new AppError('IAM_ERR_LINK_INVALID')));
      return showReset(request, reply, 200, token);
    },
  );

  app.post(
    '/t/:tenant/reset-password',
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'password_reset' },
      schema: { hide: true },
      ...guards,
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const token = field(body, 'token', 512);
      const password = field(body, 'password');
      if (!token) return badLink(request, reply, 400, humanMessage(new AppError('IAM_ERR_LINK_INVALID')));
      if (!password) return showReset(request, reply, 422, token, 'Choose a password.');
      try {
        await services.accounts.resetPassword(tenantOf(request), token, password);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        if (LINK_CODES.has(error.code)) return badLink(request, reply, error.status, humanMessage(error));
        return showReset(request, reply, error.status, token, humanMessage(error));
      }
      // Every session ended with the reset, this browser's page session included.
      ctx.session.clear(reply, request.tenant!.slug);
      return sendPage(reply, 200, { ...frame(request, 'Password changed'), body: resetDoneBody() });
    },
  );
}
