import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BEARER, problemResponses } from '../http/index.ts';
import type { KeyInfo, SigningKeyStore } from './signing-keys.ts';

const Time = Type.String({ format: 'date-time' });
const KeyView = Type.Object({
  kid: Type.String({ description: 'RFC 7638 thumbprint of the public key.' }),
  alg: Type.String(),
  state: Type.Union([Type.Literal('next'), Type.Literal('active'), Type.Literal('retired')], {
    description:
      '`next`: published, not yet signing; `active`: signing; `retired`: published until its tokens expire.',
  }),
  created_at: Time,
  activated_at: Type.Union([Time, Type.Null()]),
  retired_at: Type.Union([Time, Type.Null()]),
});
const KeyList = Type.Object({ items: Type.Array(KeyView) });

const view = (k: KeyInfo) => ({
  kid: k.kid,
  alg: k.alg,
  state: k.state,
  created_at: k.createdAt,
  activated_at: k.activatedAt,
  retired_at: k.retiredAt,
});

const tags = ['tokens'];

/** Tenant administrators see the signing keys and rotate them on demand. */
export const signingKeyRoutes: FastifyPluginAsyncTypebox<{ keys: SigningKeyStore }> = async (
  app,
  { keys },
) => {
  app.get(
    '/t/:tenant/v1/signing-keys',
    {
      config: { permission: 'key:read' },
      schema: {
        tags,
        security: BEARER,
        summary: 'List signing keys',
        description: 'The keys in the JWKS: the next one, the active one, and retired ones still published.',
        response: { 200: KeyList, ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ items: (await keys.list(request.tenant!.id)).map(view) }),
  );

  app.post(
    '/t/:tenant/v1/signing-keys/rotate',
    {
      config: { permission: 'key:rotate' },
      schema: {
        tags,
        security: BEARER,
        summary: 'Rotate the signing key',
        description:
          'Publishes a next key that starts signing once verifiers have had time to fetch it (SIGNING_KEY_PUBLISH_LEAD_SECONDS). With `immediate: true` (a key feared compromised) a fresh key signs at once; tokens of the old key stay valid until they expire.',
        body: Type.Object(
          { immediate: Type.Optional(Type.Boolean({ default: false })) },
          { additionalProperties: false },
        ),
        response: { 200: KeyList, ...problemResponses(401, 403, 422) },
      },
    },
    async (request) => {
      const tenantId = request.tenant!.id;
      const immediate = request.body.immediate ?? false;
      await keys.rotate(tenantId, request.tenantSettings.tokens, {
        immediate,
        actorId: request.auth!.subject,
      });
      return { items: (await keys.list(tenantId)).map(view) };
    },
  );
};
