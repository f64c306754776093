import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../http/index.ts';
import { messageBody } from './layout.ts';
import { humanMessage, statusOf } from './messages.ts';
import { seeOther, sendPage } from './render.ts';
import { PageRedirect } from './signed-in.ts';

const TITLES: Record<number, string> = {
  400: 'Something is wrong with this request',
  403: 'Not allowed',
  404: 'Page not found',
  429: 'Slow down',
};

/**
 * A person gets a page, not a problem document, for whatever stops a page request: an unknown
 * tenant, the bot filter, a rate limit, a refused form token, or a bug (logged, never shown). A page
 * that needs a signed-in person, or one without a restricted session, sends the browser on instead.
 */
export function renderErrorsAsPages(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | PageRedirect, request, reply) => {
    if (error instanceof PageRedirect) return seeOther(reply, error.location);
    // @fastify/csrf-protection's own errors, should one ever reach here, mean the same as ours.
    const cause =
      'code' in error && String(error.code).startsWith('FST_CSRF_') ? new AppError('IAM_ERR_CSRF') : error;
    const status = statusOf(cause);
    if (status >= 500) request.log.error({ err: error }, 'page failed');
    else request.log.info({ code: (cause as AppError).code, status }, 'page refused');
    if (cause instanceof AppError && cause.headers['retry-after'])
      reply.header('retry-after', cause.headers['retry-after']);
    return sendPage(reply, status, {
      title: TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'This did not work'),
      tenantName: request.tenant?.displayName,
      body: messageBody(humanMessage(cause)),
    });
  });
}
