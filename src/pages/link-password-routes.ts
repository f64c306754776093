import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import type { AccountService } from '../users/index.ts';
import { type FormBody, field, queryParam } from './form.ts';
import { messageBody } from './layout.ts';
import { humanMessage } from './messages.ts';
import { type FormGuards, type PageContext, tenantOf } from './page-deps.ts';
import { passwordSetBody, setPasswordBody } from './public-views.ts';
import { frameOf, sendPage } from './render.ts';

const LINK_CODES = new Set([
  'IAM_ERR_LINK_INVALID',
  'IAM_ERR_LINK_EXPIRED',
  'IAM_ERR_LINK_USED',
  'IAM_ERR_LINK_SUPERSEDED',
]);

/** One emailed link that ends in choosing a password. */
export interface PasswordLink {
  /** The page the email links to (src/notifications/email-links.ts): `/t/{tenant}/{page}?token=…`. */
  page: 'reset-password' | 'accept-invitation';
  title: string;
  /** Spends the token and sets the password (the account service). */
  apply: AccountService['resetPassword'];
  /** What a dead link offers instead. */
  again: { href: string; text: string } | undefined;
  done: { title: string; message: string };
}

/**
 * The page an emailed password link opens, and its form. Opening it spends nothing; the POST does.
 * Setting the password ends every session of the user, this browser's page session included.
 */
export function linkPasswordRoutes(
  app: FastifyInstance,
  ctx: PageContext,
  guards: FormGuards,
  link: PasswordLink,
): void {
  const frame = (request: FastifyRequest, title = link.title) => frameOf(request, title);

  const showForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    token: string,
    error?: string,
  ) =>
    sendPage(reply, status, {
      ...frame(request),
      body: setPasswordBody({
        action: link.page,
        csrf: reply.generateCsrf(),
        token,
        minLength: request.tenantSettings.password_policy.min_length,
        ...(error ? { error } : {}),
      }),
    });

  const deadLink = (request: FastifyRequest, reply: FastifyReply, error: AppError) =>
    sendPage(reply, error.status, { ...frame(request), body: messageBody(humanMessage(error), link.again) });

  app.get(
    `/t/:tenant/${link.page}`,
    { config: { permission: 'public', botFilter: true }, schema: { hide: true } },
    async (request, reply) => {
      const token = queryParam(request.query, 'token', 512);
      if (!token) return deadLink(request, reply, new AppError('IAM_ERR_LINK_INVALID'));
      return showForm(request, reply, 200, token);
    },
  );

  app.post(
    `/t/:tenant/${link.page}`,
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'password_reset' },
      schema: { hide: true },
      ...guards,
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const token = field(body, 'token', 512);
      const password = field(body, 'password');
      if (!token) return deadLink(request, reply, new AppError('IAM_ERR_LINK_INVALID'));
      if (!password) return showForm(request, reply, 422, token, 'Choose a password.');
      try {
        await link.apply(tenantOf(request), token, password);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        if (LINK_CODES.has(error.code)) return deadLink(request, reply, error);
        return showForm(request, reply, error.status, token, humanMessage(error));
      }
      ctx.session.clear(reply, request.tenant!.slug);
      return sendPage(reply, 200, {
        ...frame(request, link.done.title),
        body: passwordSetBody(link.done.message),
      });
    },
  );
}
