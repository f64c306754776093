import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ProblemSchema } from '../http/index.ts';
import type { SigningKeyStore } from './signing-keys.ts';

const Jwks = Type.Object(
  { keys: Type.Array(Type.Object({}, { additionalProperties: true })) },
  { description: 'JWK Set (RFC 7517 §5).' },
);

export const discoveryRoutes: FastifyPluginAsyncTypebox<{ keys: SigningKeyStore }> = async (
  app,
  { keys },
) => {
  app.get(
    '/t/:tenant/.well-known/jwks.json',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['tokens'],
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
};
