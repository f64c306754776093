import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance } from 'fastify';
import { OAuthError } from '../http/index.ts';

/**
 * The OAuth 2.0 endpoints' shared ground: bodies are `application/x-www-form-urlencoded` only
 * (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1), and errors use the RFC 6749 §5.2 body, never a
 * problem, so standard OAuth client libraries understand them. Responses are never cached.
 */
export async function oauthGround(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser('application/json');
  await app.register(formbody, { bodyLimit: 16_384 });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  });
  app.setErrorHandler((error: FastifyError | OAuthError, request, reply) => {
    let oauth: OAuthError;
    if (error instanceof OAuthError) oauth = error;
    else if (
      (error as FastifyError).validation ||
      (error as FastifyError).statusCode === 415 ||
      (error as FastifyError).statusCode === 400
    ) {
      oauth = new OAuthError(
        'invalid_request',
        'The request is missing a parameter, repeats one, or is not form-encoded.',
      );
    } else {
      // Tenant resolution and anything unexpected keep the service-wide handling.
      throw error;
    }
    request.log.info({ oauth_error: oauth.error }, 'oauth request refused');
    if (oauth.challenge) reply.header('www-authenticate', oauth.challenge);
    return reply
      .code(oauth.status)
      .type('application/json')
      .send({ error: oauth.error, error_description: oauth.message });
  });
}
