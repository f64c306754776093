import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { type FormBody, field, queryParam } from './form.ts';
import { messageBody } from './layout.ts';
import { humanMessage } from './messages.ts';
import { mfaConfirmAgainBody, mfaScanBody, mfaStartBody, recoveryCodesBody } from './mfa-views.ts';
import { type FormGuards, mfaFormPost, type PageContext, tenantOf } from './page-deps.ts';
import { frameOf, sendPage } from './render.ts';
import { ACCOUNT_PAGE, allowedReturnTo, carryReturnTo } from './return-to.ts';
import type { SignedIn } from './signed-in.ts';

// The pages a session restricted to enrolment may use (tenant MFA mode `required`), as the API's
// enrolment routes are.
const NEED = { permission: 'self:update', accepts: 'mfa_enrollment' } as const;

/** Second factors are off for the tenant: its pages do not exist, like registration when closed. */
export function assertMfaInUse(request: FastifyRequest): void {
  if (request.tenantSettings.mfa === 'disabled')
    throw new AppError('IAM_ERR_NOT_FOUND', 'Two-step verification is not used here.');
}

/**
 * TOTP enrolment: a start page (a POST makes the secret, so opening a link never replaces a pending
 * one), the QR code and key with the confirming code, then the recovery codes, shown once.
 */
export function mfaSetupRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const { services, signedIn } = ctx;
  // A code is checked here (replacing a factor, confirming one), so the MFA bucket limits these.
  const post = mfaFormPost(guards);

  async function showStart(
    request: FastifyRequest,
    reply: FastifyReply,
    who: SignedIn,
    status: number,
    returnTo: string,
    codeError?: string,
  ) {
    const enrolled = (await services.mfa.status(tenantOf(request), who.user.id)).totp.enrolled;
    return sendPage(reply, status, {
      ...frameOf(request, enrolled ? 'Replace your authenticator app' : 'Set up two-step verification'),
      body: mfaStartBody({
        csrf: reply.generateCsrf(),
        enrolled,
        required: who.principal.restriction === 'mfa_enrollment',
        returnTo,
        codeError,
      }),
    });
  }

  app.get(
    '/t/:tenant/mfa-setup',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      assertMfaInUse(request);
      const who = await signedIn.require(request, reply, NEED);
      return showStart(request, reply, who, 200, queryParam(request.query, 'return_to'));
    },
  );

  app.post('/t/:tenant/mfa-setup', post, async (request, reply) => {
    assertMfaInUse(request);
    const who = await signedIn.require(request, reply, NEED);
    const body = request.body as FormBody;
    const returnTo = field(body, 'return_to', 2048);
    const code = field(body, 'code', 16).trim();
    let enrolment: Awaited<ReturnType<typeof services.mfa.enrol>>;
    try {
      enrolment = await services.mfa.enrol(tenantOf(request), who.user.id, code ? { code } : undefined);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return showStart(request, reply, who, error.status, returnTo, humanMessage(error));
    }
    return sendPage(reply, 200, {
      ...frameOf(request, 'Scan the QR code'),
      body: mfaScanBody({
        csrf: reply.generateCsrf(),
        returnTo,
        qrPng: enrolment.qr_code_png,
        secret: enrolment.secret,
        keyUri: enrolment.otpauth_uri,
      }),
    });
  });

  app.post('/t/:tenant/mfa-confirm', post, async (request, reply) => {
    assertMfaInUse(request);
    const who = await signedIn.require(request, reply, NEED);
    const body = request.body as FormBody;
    const returnTo = field(body, 'return_to', 2048);
    const code = field(body, 'code', 16).trim();
    const origins = request.tenantSettings.hosted_pages.allowed_redirect_origins;
    const again = (status: number, codeError: string) =>
      sendPage(reply, status, {
        ...frameOf(request, 'Scan the QR code'),
        body: mfaConfirmAgainBody({
          csrf: reply.generateCsrf(),
          returnTo,
          codeError,
          startAgain: carryReturnTo('mfa-setup', returnTo, origins),
        }),
      });
    if (!/^\d{6}$/.test(code)) return again(422, 'Enter the 6-digit code your app shows.');
    let codes: string[];
    try {
      // The principal carries the session's restriction, which the confirmation lifts.
      codes = await services.mfa.confirm(tenantOf(request), who.principal, code);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'IAM_ERR_MFA_CODE_INVALID') return again(error.status, humanMessage(error));
      return sendPage(reply, error.status, {
        ...frameOf(request, 'Set up two-step verification'),
        body: messageBody(humanMessage(error), { href: 'mfa-setup', text: 'Start again' }),
      });
    }
    return sendPage(reply, 200, {
      ...frameOf(request, 'Two-step verification is on'),
      body: recoveryCodesBody({
        intro: 'Your authenticator app is set up: signing in now asks for its code.',
        codes,
        next: allowedReturnTo(returnTo, origins) ?? ACCOUNT_PAGE,
      }),
    });
  });
}
