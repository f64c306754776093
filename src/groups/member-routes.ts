import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BEARER, DEFAULT_PAGE_SIZE, idCursor, toPage } from '../http/index.ts';
import {
  ChangeMembersBody,
  ChangeMembersResponse,
  GroupPage,
  GroupParams,
  ListQuery,
  MemberPage,
  MemberParams,
  UserParams,
} from './group-schemas.ts';
import type { GroupService } from './group-service.ts';
import { groupView, noContent, problems, tags } from './group-view.ts';

const security = BEARER;

/** Membership routes: who is in a group, and which groups a user is in. */
export const memberRoutes: FastifyPluginAsyncTypebox<{ service: GroupService }> = async (
  app,
  { service },
) => {
  app.get(
    '/t/:tenant/v1/groups/:id/members',
    {
      config: { permission: 'group:read' },
      schema: {
        tags,
        summary: 'List the members of a group',
        description: 'Cursor-paginated by user id; deleted users are not listed.',
        security,
        params: GroupParams,
        querystring: ListQuery,
        response: { 200: MemberPage, ...problems },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const after = idCursor(cursor);
      const rows = await service.listMembers(request.tenant!.id, request.params.id, {
        limit,
        ...(after ? { after } : {}),
      });
      return toPage(
        request,
        reply,
        rows,
        limit,
        (m) => [m.id],
        (m) => m,
      );
    },
  );

  app.post(
    '/t/:tenant/v1/groups/:id/members',
    {
      config: { permission: 'group:update', escalation: 'group-members' },
      schema: {
        tags,
        summary: 'Add and remove members in bulk',
        description:
          'All changes commit together. Each distinct id gets a result: `added`, `already_member`, ' +
          '`removed`, `not_member`, or `not_found` for ids that are no live user of this tenant. ' +
          'Repeating the request changes nothing more.',
        security,
        params: GroupParams,
        body: ChangeMembersBody,
        response: { 200: ChangeMembersResponse, ...problems },
      },
    },
    async (request) => ({
      results: await service.changeMembers(
        request.tenant!.id,
        request.params.id,
        request.body,
        request.auth!.subject,
      ),
    }),
  );

  app.put(
    '/t/:tenant/v1/groups/:id/members/:user_id',
    {
      config: { permission: 'group:update', escalation: 'group-members' },
      schema: {
        tags,
        summary: 'Add a member',
        description: 'Idempotent: adding a member again succeeds and changes nothing.',
        security,
        params: MemberParams,
        response: { 204: noContent('The user is a member.'), ...problems },
      },
    },
    async (request, reply) => {
      const { id, user_id } = request.params;
      await service.addMember(request.tenant!.id, id, user_id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/t/:tenant/v1/groups/:id/members/:user_id',
    {
      config: { permission: 'group:update' },
      schema: {
        tags,
        summary: 'Remove a member',
        description: 'Idempotent: removing a user who is not a member succeeds and changes nothing.',
        security,
        params: MemberParams,
        response: { 204: noContent('The user is not a member.'), ...problems },
      },
    },
    async (request, reply) => {
      const { id, user_id } = request.params;
      await service.removeMember(request.tenant!.id, id, user_id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/t/:tenant/v1/users/:id/groups',
    {
      config: { permission: 'group:read' },
      schema: {
        tags,
        summary: "List a user's groups",
        description: 'Cursor-paginated by group id (oldest groups first).',
        security,
        params: UserParams,
        querystring: ListQuery,
        response: { 200: GroupPage, ...problems },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const after = idCursor(cursor);
      const rows = await service.groupsOfUser(request.tenant!.id, request.params.id, {
        limit,
        ...(after ? { after } : {}),
      });
      return toPage(request, reply, rows, limit, (g) => [g.id], groupView);
    },
  );
};
