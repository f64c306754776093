import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  BEARER,
  createdCursor,
  ProblemSchema,
  problemResponses,
  textIdCursor,
  toPage,
} from '../http/index.ts';
import { SORT_COLUMN } from './user-list.ts';
import type { UserRow } from './user-repository.ts';
import {
  CreateUserBody,
  DeactivateBody,
  ListUsersQuery,
  UpdateUserBody,
  UserPage,
  UserParams,
  UserView,
} from './user-schemas.ts';
import type { TenantContext, UserService } from './user-service.ts';
import { etagOf, userView } from './user-view.ts';

const tags = ['users'];
const security = BEARER;
const problems = problemResponses(401, 403, 404, 422);
const IfMatch = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'ETag from a previous read; 412 if stale.' })),
});

export const tenantOf = (request: FastifyRequest): TenantContext => ({
  id: request.tenant!.id,
  settings: request.tenantSettings,
});

/** Administrators' view of a tenant's users: `/t/{tenant}/v1/users`. */
export const userRoutes: FastifyPluginAsyncTypebox<{ users: UserService }> = async (app, { users }) => {
  const withEtag = (reply: { header(k: string, v: string): unknown }, row: UserRow) => {
    reply.header('etag', etagOf(row));
    return userView(row);
  };

  app.post(
    '/t/:tenant/v1/users',
    {
      config: { permission: 'user:create' },
      schema: {
        tags,
        security,
        summary: 'Create a user',
        description:
          'Without `password` the user is invited by email to set one; otherwise a verification email is sent unless `email_verified` is true.',
        body: CreateUserBody,
        response: { 201: UserView, 409: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const row = await users.create(tenantOf(request), request.body, request.auth!.subject);
      reply.code(201).header('location', `/t/${request.tenant!.slug}/v1/users/${row.id}`);
      return withEtag(reply, row);
    },
  );

  app.get(
    '/t/:tenant/v1/users',
    {
      config: { permission: 'user:list' },
      schema: {
        tags,
        security,
        summary: 'List users',
        description: 'Keyset-paginated: deep pages cost what the first does. Filters combine with AND.',
        querystring: ListUsersQuery,
        response: { 200: UserPage, 400: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const limit = query.limit ?? 50;
      const after =
        (query.sort ?? 'created_at').replace('-', '') === 'email'
          ? textIdCursor(query.cursor)
          : createdCursor(query.cursor);
      const { rows, total } = await users.list(request.tenant!.id, query, limit, after);
      const sort = (query.sort ?? 'created_at').replace('-', '') as keyof typeof SORT_COLUMN;
      const page = toPage(request, reply, rows, limit, (r) => [r[SORT_COLUMN[sort]], r.id], userView);
      return total === undefined ? page : { ...page, total };
    },
  );

  app.get(
    '/t/:tenant/v1/users/:id',
    {
      config: { permission: 'user:read' },
      schema: {
        tags,
        security,
        summary: 'Read a user',
        description: 'The profile and status; the `ETag` header is the `If-Match` value for PATCH.',
        params: UserParams,
        response: { 200: UserView, ...problems },
      },
    },
    async (request, reply) => withEtag(reply, await users.get(request.tenant!.id, request.params.id)),
  );

  app.patch(
    '/t/:tenant/v1/users/:id',
    {
      config: { permission: 'user:update', escalation: 'target-user' },
      schema: {
        tags,
        security,
        summary: "Change a user's profile",
        description:
          'Send `If-Match` with the ETag you read to avoid overwriting a concurrent change (412). An email change resets verification unless `email_verified` is sent.',
        params: UserParams,
        headers: IfMatch,
        body: UpdateUserBody,
        response: { 200: UserView, 409: ProblemSchema, 412: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const row = await users.update(
        tenantOf(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
        request.auth!.subject,
      );
      return withEtag(reply, row);
    },
  );

  app.delete(
    '/t/:tenant/v1/users/:id',
    {
      config: { permission: 'user:delete', escalation: 'target-user' },
      schema: {
        tags,
        security,
        summary: 'Delete a user',
        description:
          "Soft delete: the user disappears and their tokens stop working; restorable within the tenant's retention period.",
        params: UserParams,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await users.remove(request.tenant!.id, request.params.id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/t/:tenant/v1/users/:id/deactivate',
    {
      config: { permission: 'user:update', escalation: 'target-user' },
      schema: {
        tags,
        security,
        summary: 'Deactivate a user',
        description: 'The user cannot sign in and every token they hold stops working on its next use.',
        params: UserParams,
        body: DeactivateBody,
        response: { 200: UserView, ...problems },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await users.deactivate(
          request.tenant!.id,
          request.params.id,
          request.body.reason,
          request.auth!.subject,
        ),
      ),
  );

  app.post(
    '/t/:tenant/v1/users/:id/activate',
    {
      config: { permission: 'user:update' },
      schema: {
        tags,
        security,
        summary: 'Activate a deactivated user',
        description: 'The user may sign in again; activating an active user changes nothing.',
        params: UserParams,
        response: { 200: UserView, ...problems },
      },
    },
    async (request, reply) =>
      withEtag(reply, await users.activate(request.tenant!.id, request.params.id, request.auth!.subject)),
  );

  app.post(
    '/t/:tenant/v1/users/:id/restore',
    {
      config: { permission: 'user:delete' },
      schema: {
        tags,
        security,
        summary: 'Restore a deleted user',
        description: 'Within the retention period, and only while no live user has taken the address.',
        params: UserParams,
        response: { 200: UserView, 409: ProblemSchema, ...problems },
      },
    },
    async (request, reply) =>
      withEtag(reply, await users.restore(tenantOf(request), request.params.id, request.auth!.subject)),
  );
};
