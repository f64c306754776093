import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ProblemSchema } from '../http/index.ts';
import type { AccessTokens } from './access-tokens.ts';
import type { SigningKeyStore } from './signing-keys.ts';

const Jwks = Type.Object(
  { keys: Type.Array(Type.Object({}, { additionalProperties: true })) },
  { description: 'JWK Set (RFC 7517 §5).' },
);
const Discovery = Type.Object(
  {},
  { additionalProperties: true, description: 'OpenID Connect Discovery 1.0 §3 / RFC 8414 metadata.' },
);
const tags = ['tokens'];

/** Per-tenant discovery: each tenant is its own issuer with its own keys. */
export const discoveryRoutes: FastifyPluginAsyncTypebox<{
  keys: SigningKeyStore;
  tokens: AccessTokens;
}> = async (app, { keys, tokens }) => {
  app.get(
    '/t/:tenant/.well-known/jwks.json',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: "The tenant's public signing keys",
        description:
          'Includes the next key before it signs and retired keys until their tokens have expired.',
        response: { 200: Jwks, 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      // Short enough that a rotation reaches verifiers before the next key signs.
      reply.header('cache-control', 'public, max-age=300');
      return keys.jwks(request.tenant!.id);
    },
  );

  app.get(
    '/t/:tenant/.well-known/openid-configuration',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: "The tenant's OpenID Connect discovery document",
        description:
          'OpenID Connect Discovery 1.0 §4: the tenant’s issuer (`<base>/t/{tenant}`) and its JWKS, token, revocation, introspection and userinfo endpoints. Cacheable for an hour.',
        response: { 200: Discovery, 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const issuer = tokens.issuer(request.tenant!.slug);
      reply.header('cache-control', 'public, max-age=3600');
      return {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/oauth/token`,
        revocation_endpoint: `${issuer}/oauth/revoke`,
        introspection_endpoint: `${issuer}/oauth/introspect`,
        userinfo_endpoint: `${issuer}/v1/userinfo`,
        grant_types_supported: ['refresh_token', 'client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        introspection_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'bearer',
        ],
        id_token_signing_alg_values_supported: ['EdDSA', 'ES256', 'RS256'],
        token_endpoint_auth_signing_alg_values_supported: ['EdDSA', 'ES256', 'RS256'],
        subject_types_supported: ['public'],
        response_types_supported: ['token'],
        claims_supported: [
          'sub',
          'iss',
          'aud',
          'exp',
          'iat',
          'jti',
          'tid',
          'sid',
          'amr',
          'client_id',
          'email',
          'email_verified',
          'name',
          'given_name',
          'family_name',
          'locale',
          'zoneinfo',
          'phone_number',
          'updated_at',
        ],
      };
    },
  );
};
