import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AssignmentService, EffectivePermission } from './assignment-service.ts';
import { PERMISSIONS } from './permission-catalogue.ts';
import type { HeldRole } from './role-assignments.ts';
import {
  AssignmentParams,
  EffectivePermissionsView,
  GroupRolesView,
  RoleParams,
  UserRolesView,
} from './role-schemas.ts';
import { noContent, problems, roleView, security, tags } from './role-view.ts';

const heldView = ({ role, direct, groups }: HeldRole) => ({
  id: role.id,
  name: role.name,
  system: role.system,
  direct,
  groups,
});

const permissionView = ({ permission, sources }: EffectivePermission) => ({
  permission,
  description: PERMISSIONS[permission],
  sources: sources.map(({ role, grantedAs, group }) => ({
    role_id: role.id,
    role: role.name,
    granted_as: grantedAs,
    group,
  })),
});

const assignmentResponse = { 204: noContent('Done (also when nothing had to change).'), ...problems };

/** Roles given to users and groups: `/t/{tenant}/v1/{users,groups}/{id}/roles…`. */
export const assignmentRoutes: FastifyPluginAsyncTypebox<{
  assignments: AssignmentService;
}> = async (app, { assignments }) => {
  for (const target of ['user', 'group'] as const) {
    const path = `/t/:tenant/v1/${target}s/:id/roles/:role_id`;
    const notFound = target === 'user' ? '`IAM_ERR_USER_NOT_FOUND`' : '`IAM_ERR_GROUP_NOT_FOUND`';

    app.put(
      path,
      {
        config: { permission: 'role:update', escalation: 'role-assignment' },
        schema: {
          tags,
          summary: `Give a role to a ${target}`,
          description:
            `Idempotent: a role already held changes nothing. An unknown ${target} is ${notFound}, an ` +
            'unknown role `IAM_ERR_ROLE_NOT_FOUND` (404).' +
            (target === 'group' ? ' Every member holds the role while they are a member.' : '') +
            ' The caller must hold every permission the role grants (403 otherwise), so nobody can grant themselves more.',
          security,
          params: AssignmentParams,
          response: assignmentResponse,
        },
      },
      async (request, reply) => {
        const { id, role_id } = request.params;
        await assignments.assign(request.tenant!.id, target, id, role_id, request.auth!.subject);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      path,
      {
        config: { permission: 'role:update' },
        schema: {
          tags,
          summary: `Take a role from a ${target}`,
          description: `Idempotent: a role not held changes nothing. An unknown ${target} or role is a 404.`,
          security,
          params: AssignmentParams,
          response: assignmentResponse,
        },
      },
      async (request, reply) => {
        const { id, role_id } = request.params;
        await assignments.unassign(request.tenant!.id, target, id, role_id, request.auth!.subject);
        return reply.code(204).send(null);
      },
    );
  }

  app.get(
    '/t/:tenant/v1/users/:id/roles',
    {
      config: { permission: 'user:read' },
      schema: {
        tags,
        summary: 'List the roles of a user',
        description:
          'Every role the user holds, by role id: `direct` when assigned to the user, and `groups` naming ' +
          'each of the user’s groups that holds it.',
        security,
        params: RoleParams,
        response: { 200: UserRolesView, ...problems },
      },
    },
    async (request) => ({
      roles: (await assignments.rolesOfUser(request.tenant!.id, request.params.id)).map(heldView),
    }),
  );

  app.get(
    '/t/:tenant/v1/users/:id/permissions',
    {
      config: { permission: 'user:read' },
      schema: {
        tags,
        summary: 'List the effective permissions of a user',
        description:
          'The catalogue permissions the user’s roles grant (wildcards expanded), each with every source: ' +
          'the role, the entry of the role that grants it, and the group through which the user holds the ' +
          'role (null when assigned directly). Attached policies are not included: ask `POST /authz/check`.',
        security,
        params: RoleParams,
        response: { 200: EffectivePermissionsView, ...problems },
      },
    },
    async (request) => ({
      permissions: (await assignments.permissionsOfUser(request.tenant!.id, request.params.id)).map(
        permissionView,
      ),
    }),
  );

  app.get(
    '/t/:tenant/v1/groups/:id/roles',
    {
      config: { permission: 'group:read' },
      schema: {
        tags,
        summary: 'List the roles of a group',
        description: 'The roles given to the group, by role id.',
        security,
        params: RoleParams,
        response: { 200: GroupRolesView, ...problems },
      },
    },
    async (request) => ({
      roles: (await assignments.rolesOfGroup(request.tenant!.id, request.params.id)).map(roleView),
    }),
  );
};
