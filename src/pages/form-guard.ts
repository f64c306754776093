import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';

// Two independent walls in front of every page POST. The origin check runs in onRequest, before the
// body is read, so a cross-site form is refused whatever it carries; the CSRF token (double submit
// against the signed secret cookie of @fastify/csrf-protection) is checked once the form is parsed.

const refused = (why: string) => new AppError('IAM_ERR_CSRF', why);

/** Refuses a POST that a browser says comes from another site, or whose Origin is not ours. */
export function sameOriginOnly(ownOrigin: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const site = request.headers['sec-fetch-site'];
    // `none`: the person typed or bookmarked it; `same-origin`: our own form. Sibling sites are foreign too.
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      throw refused('Cross-site form posts are refused.');
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== ownOrigin)
      throw refused('Form posts from other origins are refused.');
  };
}

/** Checks the form's `_csrf` field; the plugin's own failure answer becomes our page instead. */
export function csrfTokenRequired(app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const probe = Object.create(reply) as FastifyReply;
      probe.send = () => {
        reject(refused('The form token is missing or wrong.'));
        return probe;
      };
      app.csrfProtection(request, probe, () => resolve());
    });
}
