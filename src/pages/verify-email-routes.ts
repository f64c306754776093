import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { type FormBody, field, queryParam } from './form.ts';
import { messageBody } from './layout.ts';
import { humanMessage } from './messages.ts';
import { type FormGuards, type PageContext, tenantOf } from './page-deps.ts';
import { verifiedBody, verifyBody } from './public-views.ts';
import { frameOf, sendPage } from './render.ts';

/**
 * The landing page of the verification email. Opening the link spends nothing (mail scanners and
 * link previews open links); the button's POST does.
 */
export function verifyEmailRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const title = 'Confirm your email address';
  const invalid = (request: FastifyRequest, reply: FastifyReply, error: AppError) =>
    sendPage(reply, error.status, {
      ...frameOf(request, title),
      body: messageBody(humanMessage(error), { href: 'sign-in', text: 'Sign in' }),
    });

  app.get(
    '/t/:tenant/verify-email',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const token = queryParam(request.query, 'token', 512);
      if (!token) return invalid(request, reply, new AppError('IAM_ERR_LINK_INVALID'));
      return sendPage(reply, 200, {
        ...frameOf(request, title),
        body: verifyBody({ csrf: reply.generateCsrf(), token }),
      });
    },
  );

  app.post(
    '/t/:tenant/verify-email',
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'email_resend' },
      schema: { hide: true },
      ...guards,
    },
    async (request, reply) => {
      const token = field(request.body as FormBody, 'token', 512);
      try {
        if (!token) throw new AppError('IAM_ERR_LINK_INVALID');
        await ctx.services.accounts.verifyEmail(tenantOf(request), token);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return invalid(request, reply, error);
      }
      return sendPage(reply, 200, {
        ...frameOf(request, 'Email confirmed'),
        body: verifiedBody(),
      });
    },
  );
}
