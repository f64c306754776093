import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BEARER, createdCursor, DEFAULT_PAGE_SIZE, ProblemSchema, toPage } from '../http/index.ts';
import {
  CreateGroupBody,
  GroupPage,
  GroupParams,
  GroupView,
  ListGroupsQuery,
  UpdateGroupBody,
} from './group-schemas.ts';
import type { GroupService } from './group-service.ts';
import { groupView, noContent, problems, tags } from './group-view.ts';
import { memberRoutes } from './member-routes.ts';

const security = BEARER;

/** Tenant routes for groups and their members: `/t/{tenant}/v1/groups…`. */
export const groupRoutes: FastifyPluginAsyncTypebox<{ service: GroupService }> = async (app, { service }) => {
  app.post(
    '/t/:tenant/v1/groups',
    {
      config: { permission: 'group:create' },
      schema: {
        tags,
        summary: 'Create a group',
        description:
          'Creates an empty group. Names are unique in the tenant, compared case-insensitively after trimming.',
        security,
        body: CreateGroupBody,
        response: { 201: GroupView, 409: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const tenant = request.tenant!;
      const group = await service.create(tenant.id, request.body, request.auth!.subject);
      return reply
        .code(201)
        .header('location', `/t/${tenant.slug}/v1/groups/${group.id}`)
        .send(groupView(group));
    },
  );

  app.get(
    '/t/:tenant/v1/groups',
    {
      config: { permission: 'group:list' },
      schema: {
        tags,
        summary: 'List groups',
        description:
          'Cursor-paginated, oldest first; `name` keeps the groups whose name starts with it (any case).',
        security,
        querystring: ListGroupsQuery,
        response: { 200: GroupPage, ...problems },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor, name } = request.query;
      const after = createdCursor(cursor);
      const rows = await service.list(request.tenant!.id, {
        limit,
        ...(after ? { after } : {}),
        ...(name !== undefined ? { name } : {}),
      });
      return toPage(request, reply, rows, limit, (g) => [g.createdAt, g.id], groupView);
    },
  );

  app.get(
    '/t/:tenant/v1/groups/:id',
    {
      config: { permission: 'group:read' },
      schema: {
        tags,
        summary: 'Read a group',
        description: 'An id that is malformed or belongs to another tenant is not found.',
        security,
        params: GroupParams,
        response: { 200: GroupView, ...problems },
      },
    },
    async (request) => groupView(await service.get(request.tenant!.id, request.params.id)),
  );

  app.patch(
    '/t/:tenant/v1/groups/:id',
    {
      config: { permission: 'group:update' },
      schema: {
        tags,
        summary: 'Rename a group or change its description',
        description: 'Send at least one of `name` and `description`.',
        security,
        params: GroupParams,
        body: UpdateGroupBody,
        response: { 200: GroupView, 409: ProblemSchema, ...problems },
      },
    },
    async (request) =>
      groupView(
        await service.update(request.tenant!.id, request.params.id, request.body, request.auth!.subject),
      ),
  );

  app.delete(
    '/t/:tenant/v1/groups/:id',
    {
      config: { permission: 'group:delete' },
      schema: {
        tags,
        summary: 'Delete a group',
        description: 'Deletes the group and every membership in it; the users themselves stay.',
        security,
        params: GroupParams,
        response: { 204: noContent('Deleted.'), ...problems },
      },
    },
    async (request, reply) => {
      await service.remove(request.tenant!.id, request.params.id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  await app.register(memberRoutes, { service });
};
