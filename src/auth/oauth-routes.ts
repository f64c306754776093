import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ClientService } from '../clients/index.ts';
import { fromJson } from '../db/index.ts';
import { OAuthError } from '../http/index.ts';
import type { AccessTokens, SessionService } from '../tokens/index.ts';
import { authenticateClient } from './client-authentication.ts';
import { oauthGround } from './oauth-plugin.ts';

const OAuthErrorBody = Type.Object(
  { error: Type.String(), error_description: Type.Optional(Type.String()) },
  { description: 'RFC 6749 §5.2 error.' },
);
const TokenBody = Type.Object(
  {
    grant_type: Type.String({ description: '`refresh_token` or `client_credentials`.' }),
    refresh_token: Type.Optional(Type.String({ maxLength: 256 })),
    scope: Type.Optional(Type.String({ maxLength: 1024 })),
    client_id: Type.Optional(Type.String({ maxLength: 256 })),
    client_secret: Type.Optional(Type.String({ maxLength: 256 })),
  },
  // RFC 6749 §3.2: unrecognised parameters are ignored; repeated ones fail the string types.
  {
    additionalProperties: true,
    examples: [
      { grant_type: 'refresh_token', refresh_token: 'q0bVvC4Yb4sUMGQ2cNlP1dTNEzcOXlyoK4A2tOq8Z8g' },
      {
        grant_type: 'client_credentials',
        client_id: 'gh_Q2xpZW50SWRFeGFtcGxl',
        client_secret: 'the client secret',
      },
    ],
  },
);
const TokenAnswer = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.Optional(Type.String()),
});

export interface OAuthDeps {
  sessions: SessionService;
  clients: ClientService;
  tokens: AccessTokens;
}

/** `POST /t/{tenant}/oauth/token` (RFC 6749 §4.4, §6). */
export const oauthTokenRoutes: FastifyPluginAsyncTypebox<{ deps: OAuthDeps }> = async (app, { deps }) => {
  await oauthGround(app);
  app.post(
    '/t/:tenant/oauth/token',
    {
      config: { permission: 'public', rateLimit: 'token' },
      schema: {
        tags: ['tokens'],
        summary: 'Token endpoint',
        description:
          'Form-encoded. `refresh_token` rotates the refresh token (reuse of a spent one ends the session); `client_credentials` needs client authentication (`client_secret_basic` or `client_secret_post`).',
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenBody,
        response: { 200: TokenAnswer, 400: OAuthErrorBody, 401: OAuthErrorBody },
      },
    },
    async (request) => {
      const tenant = { ...request.tenant!, settings: request.tenantSettings };
      const body = request.body;
      const client = { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
      if (body.grant_type === 'refresh_token') {
        await authenticateClient(request, deps.clients, false);
        if (!body.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required.');
        return deps.sessions.refresh(tenant, body.refresh_token, client);
      }
      if (body.grant_type === 'client_credentials') {
        const found = await authenticateClient(request, deps.clients, true);
        if (!found || !fromJson<string[]>(found.grant_types).includes('client_credentials')) {
          throw new OAuthError(
            'unauthorized_client',
            'This client may not use the client_credentials grant.',
          );
        }
        const issued = await deps.tokens.issue({
          tenant,
          subject: { kind: 'client', clientId: found.client_id },
          ttlSeconds: tenant.settings.tokens.access_token_ttl_seconds,
        });
        return { access_token: issued.token, token_type: 'Bearer' as const, expires_in: issued.expiresIn };
      }
      throw new OAuthError(
        'unsupported_grant_type',
        'Supported grant types: refresh_token, client_credentials.',
      );
    },
  );
};
