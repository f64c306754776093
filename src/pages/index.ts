import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { accountRoutes } from './account-routes.ts';
import { assetRoutes } from './asset-routes.ts';
import { csrfTokenRequired, sameOriginOnly } from './form-guard.ts';
import type { FormGuards, PageOptions } from './page-deps.ts';
import { renderErrorsAsPages } from './page-errors.ts';
import { createPageSession } from './page-session.ts';
import { passwordRoutes } from './password-routes.ts';
import { registrationRoutes } from './registration-routes.ts';
import { pageCsp } from './render.ts';
import { signInRoutes } from './sign-in-routes.ts';
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
    const origins = request.tenant ? request.tenantSettings.hosted_pages.allowed_redirect_origins : [];
    reply.header('content-security-policy', pageCsp(origins));
    // `no-referrer` (the API's) makes Chromium send `Origin: null` with our own form posts, which the
    // same-origin check must refuse; `same-origin` still never tells another site a URL (tokens).
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });
  const ctx = { ...options, session: createPageSession(options.publicUrl) };
  const guards: FormGuards = {
    onRequest: sameOriginOnly(new URL(options.publicUrl).origin),
    preHandler: csrfTokenRequired(app),
  };
  assetRoutes(app);
  signInRoutes(app, ctx, guards);
  accountRoutes(app, ctx, guards);
  registrationRoutes(app, ctx, guards);
  passwordRoutes(app, ctx, guards);
  verifyEmailRoutes(app, ctx, guards);
};
