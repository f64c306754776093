import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fromBool } from '../db/index.ts';
import { BEARER, ProblemSchema } from '../http/index.ts';
import type { UserDirectory } from './user-directory.ts';

const UserInfo = Type.Object(
  {
    sub: Type.String(),
    email: Type.String(),
    email_verified: Type.Boolean(),
    name: Type.Optional(Type.String()),
    given_name: Type.Optional(Type.String()),
    family_name: Type.Optional(Type.String()),
    locale: Type.Optional(Type.String()),
    zoneinfo: Type.Optional(Type.String()),
    phone_number: Type.Optional(Type.String()),
    updated_at: Type.Integer({ description: 'Seconds since the epoch.' }),
  },
  { description: 'OpenID Connect Core §5.3.2: claims with no value are omitted.' },
);

/** `GET|POST /t/{tenant}/v1/userinfo` (OpenID Connect Core §5.3). */
export const userinfoRoutes: FastifyPluginAsyncTypebox<{ directory: UserDirectory }> = async (
  app,
  { directory },
) => {
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/t/:tenant/v1/userinfo',
      config: { permission: 'self:read' },
      schema: {
        tags: ['users'],
        security: BEARER,
        summary: 'Claims about the signed-in user',
        description:
          'OpenID Connect Core §5.3: the standard claims of the user the access token belongs to; claims without a value are omitted. GET and POST answer alike.',
        response: { 200: UserInfo, 401: ProblemSchema, 403: ProblemSchema },
      },
      handler: async (request, reply) => {
        const row = await directory.get(request.tenant!.id, request.auth!.subject);
        reply.header('cache-control', 'no-store');
        const optional = {
          name: row.name,
          given_name: row.given_name,
          family_name: row.family_name,
          locale: row.locale,
          zoneinfo: row.zoneinfo,
          phone_number: row.phone_number,
        };
        return {
          sub: row.id,
          email: row.email,
          email_verified: fromBool(row.email_verified),
          ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null)),
          updated_at: Math.floor(Date.parse(row.updated_at) / 1000),
        };
      },
    });
  }
};
