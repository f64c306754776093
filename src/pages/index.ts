import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { accountRoutes } from './account-routes.ts';
import { assetRoutes } from './asset-routes.ts';
import { brandRoutes } from './brand.ts';
import { changePasswordRoutes } from './change-password-routes.ts';
import { csrfTokenRequired, sameOriginOnly } from './form-guard.ts';
import { mfaManageRoutes } from './mfa-manage-routes.ts';
import { mfaSetupRoutes } from './mfa-setup-routes.ts';
import type { FormGuards, PageContext, PageOptions } from './page-deps.ts';
import { renderErrorsAsPages } from './page-errors.ts';
import { createPageSession } from './page-session.ts';
import { passwordRoutes } from './password-routes.ts';
import { registrationRoutes } from './registration-routes.ts';
import { cspFor } from './render.ts';
import { signInRoutes } from './sign-in-routes.ts';
import { createSignedIn } from './signed-in.ts';
import { verifyEmailRoutes } from './verify-email-routes.ts';

export type { PageOptions, PageServices } from './page-deps.ts';

/**
 * The hosted pages at /t/{tenant}/…: server-rendered HTML over the same services as the API. An
 * encapsulated plugin: its form parser, error pages and page CSP stay here and never reach the API.
 * Needs @fastify/cookie and @fastify/csrf-protection on the parent (registerBrowserSession does it).
 */
export const pageRoutes: FastifyPluginAsync<PageOptions> = async (app: FastifyInstance, options) => {
  await app.register(formbody, { bodyLimit: 16_384 });
  renderErrorsAsPages(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', cspFor(request, reply));
    // `no-referrer` (the API's) makes Chromium send `Origin: null` with our own form posts, which the
    // same-origin check must refuse; `same-origin` still never tells another site a URL (tokens).
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });
  const session = createPageSession(options.publicUrl);
  const ctx: PageContext = { ...options, session, signedIn: createSignedIn({ ...options, session }) };
  const guards: FormGuards = {
    onRequest: sameOriginOnly(new URL(options.publicUrl).origin),
    preHandler: csrfTokenRequired(app),
  };
  assetRoutes(app);
  brandRoutes(app);
  signInRoutes(app, ctx, guards);
  accountRoutes(app, ctx, guards);
  changePasswordRoutes(app, ctx, guards);
  mfaSetupRoutes(app, ctx, guards);
  mfaManageRoutes(app, ctx, guards);
  registrationRoutes(app, ctx, guards);
  passwordRoutes(app, ctx, guards);
  verifyEmailRoutes(app, ctx, guards);
};
