import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DEFAULT_PAGE_SIZE, idCursor, ProblemSchema, toPage } from '../http/index.ts';
import { PERMISSIONS, type Permission, PLATFORM_PERMISSIONS } from './permission-catalogue.ts';
import {
  CreateRoleBody,
  ListRolesQuery,
  PermissionCatalogueView,
  RolePage,
  RoleParams,
  RoleView,
  UpdateRoleBody,
} from './role-schemas.ts';
import type { RoleService } from './role-service.ts';
import { noContent, problems, roleView, security, tags } from './role-view.ts';

const catalogue: PermissionCatalogueView = {
  permissions: (Object.entries(PERMISSIONS) as [Permission, string][]).map(([permission, description]) => ({
    permission,
    description,
    platform_only: PLATFORM_PERMISSIONS.includes(permission),
  })),
};

/** The permission catalogue (`/v1/permissions`) and tenant routes for roles: `/t/{tenant}/v1/roles…`. */
export const roleRoutes: FastifyPluginAsyncTypebox<{ roles: RoleService }> = async (app, { roles }) => {
  app.get(
    '/v1/permissions',
    {
      // Every signed-in user holds `self:read`; the catalogue is the vocabulary roles are written in.
      config: { permission: 'self:read' },
      schema: {
        tags,
        summary: 'List the permission catalogue',
        description:
          'Every permission a role may grant, with what it allows. Roles may also list `resource:*` (every ' +
          'permission of one resource) and `*` (all of them).',
        security,
        response: { 200: PermissionCatalogueView, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async () => catalogue,
  );

  app.post(
    '/t/:tenant/v1/roles',
    {
      config: { permission: 'role:create', escalation: 'role-permissions' },
      schema: {
        tags,
        summary: 'Create a custom role',
        description:
          'A role is a named set of permissions. An unknown permission is a 422 naming `/permissions/<index>`.',
        security,
        body: CreateRoleBody,
        response: { 201: RoleView, 409: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const tenant = request.tenant!;
      const role = await roles.create(tenant.id, request.body, request.auth!.subject);
      return reply.code(201).header('location', `/t/${tenant.slug}/v1/roles/${role.id}`).send(roleView(role));
    },
  );

  app.get(
    '/t/:tenant/v1/roles',
    {
      config: { permission: 'role:list' },
      schema: {
        tags,
        summary: 'List roles',
        description: 'System and custom roles, oldest first, cursor-paginated.',
        security,
        querystring: ListRolesQuery,
        response: { 200: RolePage, ...problems },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const after = idCursor(cursor);
      const rows = await roles.list(request.tenant!.id, { limit, ...(after ? { after } : {}) });
      return toPage(request, reply, rows, limit, (role) => [role.id], roleView);
    },
  );

  app.get(
    '/t/:tenant/v1/roles/:id',
    {
      config: { permission: 'role:read' },
      schema: {
        tags,
        summary: 'Read a role',
        description: 'An id that is malformed or belongs to another tenant is not found.',
        security,
        params: RoleParams,
        response: { 200: RoleView, ...problems },
      },
    },
    async (request) => roleView(await roles.get(request.tenant!.id, request.params.id)),
  );

  app.patch(
    '/t/:tenant/v1/roles/:id',
    {
      config: { permission: 'role:update', escalation: 'role-permissions' },
      schema: {
        tags,
        summary: 'Change a custom role',
        description:
          'Send at least one of `name`, `description` and `permissions` (which replaces the list). ' +
          'System roles answer 409 `IAM_ERR_ROLE_PROTECTED`. Every holder’s decisions follow at once.',
        security,
        params: RoleParams,
        body: UpdateRoleBody,
        response: { 200: RoleView, 409: ProblemSchema, ...problems },
      },
    },
    async (request) =>
      roleView(
        await roles.update(request.tenant!.id, request.params.id, request.body, request.auth!.subject),
      ),
  );

  app.delete(
    '/t/:tenant/v1/roles/:id',
    {
      config: { permission: 'role:delete' },
      schema: {
        tags,
        summary: 'Delete a custom role',
        description:
          'Deletes the role, its user and group assignments and the policy attachments naming it. ' +
          'System roles answer 409 `IAM_ERR_ROLE_PROTECTED`.',
        security,
        params: RoleParams,
        response: { 204: noContent('Deleted.'), 409: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      await roles.remove(request.tenant!.id, request.params.id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );
};
