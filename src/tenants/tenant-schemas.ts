import { type Static, Type } from 'typebox';
import { PageQuery, pageSchema } from '../http/index.ts';
import { SLUG_PATTERN } from './slug.ts';

export const TenantStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended')]);

export const TenantView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    display_name: Type.String(),
    status: TenantStatus,
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  {},
);
export type TenantView = Static<typeof TenantView>;

const DisplayName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

export const CreateTenantBody = Type.Object(
  {
    slug: Type.String({
      pattern: SLUG_PATTERN,
      description: 'Lowercase letters, digits and inner hyphens, 3–63 characters.',
    }),
    display_name: DisplayName,
    admin_email: Type.Optional(
      Type.String({
        format: 'email',
        maxLength: 320,
        description:
          "The first administrator's email: created with the `admin` role and invited to set a password.",
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ slug: 'acme', display_name: 'Acme Corporation', admin_email: 'it-admin@acme.example' }],
  },
);
export type CreateTenantBody = Static<typeof CreateTenantBody>;

export const UpdateTenantBody = Type.Object(
  {
    display_name: Type.Optional(DisplayName),
    status: Type.Optional(TenantStatus),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateTenantBody = Static<typeof UpdateTenantBody>;

export const TenantParams = Type.Object({ tenant: Type.String({ maxLength: 63 }) });

export const ListTenantsQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(TenantStatus) },
  { additionalProperties: false },
);
export type ListTenantsQuery = Static<typeof ListTenantsQuery>;

export const TenantPage = pageSchema(TenantView);
