import { type Static, Type } from 'typebox';
import { PageQuery, pageSchema } from '../http/index.ts';

/** Most entries one custom role may list (the catalogue has fewer permissions than this). */
export const MAX_ROLE_PERMISSIONS = 100;

const RoleName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9_.-]*$',
  description:
    'Lowercase letters, digits, `_`, `.` and `-`, starting with a letter or digit; unique in the tenant. ' +
    'Policies see role names in `subject.roles`, so they are plain identifiers without look-alikes.',
});
const Description = Type.String({ maxLength: 1000 });
const Permissions = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  maxItems: MAX_ROLE_PERMISSIONS,
  uniqueItems: true,
  description: 'Catalogue permissions (`GET /v1/permissions`), `resource:*` wildcards, or `*` for all.',
});
const Timestamp = Type.String({ format: 'date-time' });
const Id = Type.String({ format: 'uuid' });

export const RoleView = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(Type.String()),
  system: Type.Boolean({ description: 'System roles (`admin`, `user`, `auditor`) cannot be changed.' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type RoleView = Static<typeof RoleView>;

export const CreateRoleBody = Type.Object(
  { name: RoleName, description: Type.Optional(Description), permissions: Permissions },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'support-agent',
        description: 'Helps users: reads profiles and ends sessions.',
        permissions: ['user:read', 'user:list', 'session:read', 'session:revoke'],
      },
    ],
  },
);
export type CreateRoleBody = Static<typeof CreateRoleBody>;

export const UpdateRoleBody = Type.Object(
  {
    name: Type.Optional(RoleName),
    description: Type.Optional(Description),
    permissions: Type.Optional(Permissions),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateRoleBody = Static<typeof UpdateRoleBody>;

// Ids in paths are plain strings on purpose: a malformed id is answered 404, like an unknown one.
export const RoleParams = Type.Object({ tenant: Type.String(), id: Type.String() });
export const AssignmentParams = Type.Object({
  tenant: Type.String(),
  id: Type.String(),
  role_id: Type.String(),
});

export const ListRolesQuery = Type.Object(PageQuery, { additionalProperties: false });
export type ListRolesQuery = Static<typeof ListRolesQuery>;

export const RolePage = pageSchema(RoleView);

const GroupRef = Type.Object({ id: Id, name: Type.String() });

export const UserRolesView = Type.Object({
  roles: Type.Array(
    Type.Object({
      id: Id,
      name: Type.String(),
      system: Type.Boolean(),
      direct: Type.Boolean({ description: 'Assigned to the user.' }),
      groups: Type.Array(GroupRef, { description: 'The user’s groups that hold the role.' }),
    }),
  ),
});
export type UserRolesView = Static<typeof UserRolesView>;

export const GroupRolesView = Type.Object({ roles: Type.Array(RoleView) });

export const EffectivePermissionsView = Type.Object({
  permissions: Type.Array(
    Type.Object({
      permission: Type.String(),
      description: Type.String(),
      sources: Type.Array(
        Type.Object({
          role_id: Id,
          role: Type.String({ description: 'Role name.' }),
          granted_as: Type.String({
            description: 'The role’s entry that grants it: itself, `resource:*` or `*`.',
          }),
          group: Type.Union([GroupRef, Type.Null()], {
            description: 'The group through which the user holds the role; null when assigned directly.',
          }),
        }),
      ),
    }),
  ),
});
export type EffectivePermissionsView = Static<typeof EffectivePermissionsView>;

export const PermissionCatalogueView = Type.Object({
  permissions: Type.Array(
    Type.Object({
      permission: Type.String(),
      description: Type.String(),
      platform_only: Type.Boolean({ description: 'Counts only for users of the platform tenant.' }),
    }),
  ),
});
export type PermissionCatalogueView = Static<typeof PermissionCatalogueView>;
