import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type LoginAttempt, PASSWORD_LOGIN, runSteps } from '../auth/login-steps.ts';
import { AppError } from '../http/index.ts';
import type { TokenResponse } from '../tokens/index.ts';
import { captchaSolution, refusalMessage, showCaptcha } from './captcha.ts';
import { type FormBody, field, queryParam } from './form.ts';
import { humanMessage, statusOf } from './messages.ts';
import { clientOf, type FormGuards, type PageContext, tenantOf } from './page-deps.ts';
import { frameOf, seeOther, sendPage } from './render.ts';
import { ACCOUNT_PAGE, allowedReturnTo, carryReturnTo } from './return-to.ts';
import { codeBody, type SignInView, signInBody } from './sign-in-views.ts';
import { RESTRICTION_PAGES } from './signed-in.ts';

/** Sign in with email and password, then the second factor when the user has one. */
export function signInRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const { services, database, clock } = ctx;
  const loginDeps = {
    database,
    clock,
    hasher: services.hasher,
    sessions: services.sessions,
    mfa: services.mfaLogin,
    guards: services.guards,
  };

  const showSignIn = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: Partial<SignInView>,
  ) =>
    sendPage(reply, status, {
      ...frameOf(request, 'Sign in'),
      body: signInBody({
        csrf: reply.generateCsrf(),
        passwordEnabled: request.tenantSettings.login.password_enabled,
        registrationEnabled: request.tenantSettings.registration.enabled,
        ...view,
      }),
      // Without password sign-in there is no form, so no widget either.
      captcha: view.captcha === true && request.tenantSettings.login.password_enabled,
    });

  const showCode = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    mfaToken: string,
    returnTo: string,
    error?: string,
  ) =>
    sendPage(reply, status, {
      ...frameOf(request, 'Two-step verification'),
      body: codeBody({ csrf: reply.generateCsrf(), mfaToken, returnTo, ...(error ? { error } : {}) }),
    });

  /**
   * A session exists: keep it in the page cookie, then go where the sign-in was meant to lead. A
   * restricted session (password expired, second factor required) first goes to the page that lifts
   * the restriction, carrying `return_to` along.
   */
  const finish = async (
    request: FastifyRequest,
    reply: FastifyReply,
    tokens: TokenResponse,
    returnTo: string,
  ) => {
    const origins = request.tenantSettings.hosted_pages.allowed_redirect_origins;
    ctx.session.set(
      reply,
      request.tenant!.slug,
      tokens.refresh_token,
      request.tenantSettings.tokens.refresh_absolute_ttl_seconds,
    );
    const restriction = (await ctx.signedIn.load(request.tenant!, tokens.refresh_token))?.principal
      .restriction;
    if (restriction) return seeOther(reply, carryReturnTo(RESTRICTION_PAGES[restriction], returnTo, origins));
    return seeOther(reply, allowedReturnTo(returnTo, origins) ?? ACCOUNT_PAGE);
  };

  app.get(
    '/t/:tenant/sign-in',
    { config: { permission: 'public', botFilter: true }, schema: { hide: true } },
    async (request, reply) => {
      const returnTo = queryParam(request.query, 'return_to');
      const captcha = await showCaptcha(services.guards, request, '');
      return showSignIn(request, reply, 200, { ...(returnTo ? { returnTo } : {}), captcha });
    },
  );

  app.post(
    '/t/:tenant/sign-in',
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'login' },
      schema: { hide: true },
      ...guards,
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const email = field(body, 'email', 320);
      const returnTo = field(body, 'return_to', 2048);
      const back = returnTo ? { returnTo } : {};
      const attempt: LoginAttempt = {
        tenant: request.tenant!,
        settings: request.tenantSettings,
        email,
        password: field(body, 'password'),
        captcha: captchaSolution(body),
        client: clientOf(request),
      };
      try {
        if (!email || !attempt.password) throw new AppError('IAM_ERR_INVALID_CREDENTIALS');
        await runSteps(PASSWORD_LOGIN, attempt, loginDeps);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (error.headers['retry-after']) reply.header('retry-after', error.headers['retry-after']);
        // This failure may be the one that makes the captcha due: the next try shows the widget.
        const captcha = await showCaptcha(services.guards, request, email);
        return showSignIn(request, reply, statusOf(error), {
          ...back,
          email,
          captcha,
          error: refusalMessage(request, error),
        });
      }
      const result = attempt.result!;
      if ('mfa_required' in result) return showCode(request, reply, 200, result.mfa_token, returnTo);
      return finish(request, reply, result, returnTo);
    },
  );

  app.post(
    '/t/:tenant/two-factor',
    {
      config: { permission: 'public', botFilter: true, rateLimit: 'mfa_verify' },
      schema: { hide: true },
      ...guards,
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const mfaToken = field(body, 'mfa_token', 256);
      const returnTo = field(body, 'return_to', 2048);
      const code = field(body, 'code', 16).trim();
      const recovery = field(body, 'recovery_code', 64).trim();
      if (!mfaToken)
        return showSignIn(request, reply, 400, {
          error: humanMessage(new AppError('IAM_ERR_MFA_TOKEN_INVALID')),
        });
      try {
        const answer = recovery ? { recovery_code: recovery } : { code };
        const tokens = await services.mfaLogin.verify(tenantOf(request), mfaToken, answer, clientOf(request));
        return await finish(request, reply, tokens, returnTo);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // A wrong code leaves the challenge usable (until its own limit): ask again on the same one.
        if (error.code === 'IAM_ERR_MFA_CODE_INVALID')
          return showCode(request, reply, error.status, mfaToken, returnTo, humanMessage(error));
        if (error.headers['retry-after']) reply.header('retry-after', error.headers['retry-after']);
        return showSignIn(request, reply, error.status, {
          ...(returnTo ? { returnTo } : {}),
          error: humanMessage(error),
        });
      }
    },
  );
}
