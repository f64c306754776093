import { type Static, Type } from 'typebox';
import { pageSchema } from '../http/index.ts';

export const GrantType = Type.Enum(['client_credentials'] as const);
const Permission = Type.String({ pattern: '^[a-z]+:([a-z_]+|\\*)$', maxLength: 64 });

export const ClientView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  client_id: Type.String(),
  name: Type.String(),
  grant_types: Type.Array(Type.String()),
  permissions: Type.Array(Type.String()),
  status: Type.Enum(['active', 'disabled'] as const),
  previous_secret_expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type ClientView = Static<typeof ClientView>;

/** A client with its secret: returned once, at creation and rotation. */
export const ClientWithSecret = Type.Intersect([ClientView, Type.Object({ client_secret: Type.String() })]);
export const ClientPage = pageSchema(ClientView);

export const CreateClientBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    grant_types: Type.Optional(Type.Array(GrantType, { minItems: 1, maxItems: 1, uniqueItems: true })),
    permissions: Type.Array(Permission, {
      maxItems: 100,
      uniqueItems: true,
      description: 'Permissions its tokens carry (catalogue entries or `resource:*`).',
    }),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'billing-service', grant_types: ['client_credentials'], permissions: ['user:read'] }],
  },
);
export type CreateClientBody = Static<typeof CreateClientBody>;

export const UpdateClientBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    permissions: Type.Optional(Type.Array(Permission, { maxItems: 100, uniqueItems: true })),
    status: Type.Optional(Type.Enum(['active', 'disabled'] as const)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateClientBody = Static<typeof UpdateClientBody>;

export const RotateBody = Type.Object(
  {
    overlap_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_592_000,
        default: 86_400,
        description: 'How long the previous secret keeps working.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ClientParams = Type.Object({ tenant: Type.String(), id: Type.String({ maxLength: 64 }) });
