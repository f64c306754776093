import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { type FormBody, field, looksLikeEmail } from './form.ts';
import { humanMessage } from './messages.ts';
import type { FormGuards, PageContext } from './page-deps.ts';
import { tenantOf } from './page-deps.ts';
import { checkEmailBody, registerBody } from './public-views.ts';
import { frameOf, sendPage } from './render.ts';

const closed = () => new AppError('IAM_ERR_NOT_FOUND', 'Registration is closed.');

/** Self-service registration; the answer never tells whether the address already had an account. */
export function registrationRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const title = 'Create an account';
  const showForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: { email?: string; name?: string; error?: string } = {},
  ) =>
    sendPage(reply, status, {
      ...frameOf(request, title),
      body: registerBody({ csrf: reply.generateCsrf(), ...view }),
    });

  const checkEmail = (request: FastifyRequest, reply: FastifyReply) =>
    sendPage(reply, 200, {
      ...frameOf(request, 'Check your email'),
      body: checkEmailBody(),
    });

  app.get(
    '/t/:tenant/register',
    { config: { permission: 'public', botFilter: true }, schema: { hide: true } },
    async (request, reply) => {
      if (!request.tenantSettings.registration.enabled) throw closed();
      return showForm(request, reply, 200);
    },
  );

  app.post(
    '/t/:tenant/register',
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'register' },
      schema: { hide: true },
      ...guards,
    },
    async (request, reply) => {
      if (!request.tenantSettings.registration.enabled) throw closed();
      const body = request.body as FormBody;
      // A filled honeypot is a bot: it gets the page a person would get, and nothing is created.
      if (body?.website !== undefined && body.website !== '') {
        request.log.info({ reason: 'honeypot' }, 'registration ignored');
        return checkEmail(request, reply);
      }
      const email = field(body, 'email', 320).trim();
      const name = field(body, 'name', 200).trim();
      const password = field(body, 'password');
      const view = { email, name };
      if (!looksLikeEmail(email))
        return showForm(request, reply, 422, { ...view, error: 'Enter a valid email address.' });
      if (!password) return showForm(request, reply, 422, { ...view, error: 'Choose a password.' });
      try {
        await ctx.services.accounts.register(tenantOf(request), {
          email,
          password,
          ...(name ? { name } : {}),
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return showForm(request, reply, error.status, { ...view, error: humanMessage(error) });
      }
      return checkEmail(request, reply);
    },
  );
}
