import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fromJson } from '../db/index.ts';
import { BEARER, idCursor, PageQuery, ProblemSchema, problemResponses, toPage } from '../http/index.ts';
import {
  ClientPage,
  ClientParams,
  type ClientView,
  ClientView as ClientViewSchema,
  ClientWithSecret,
  CreateClientBody,
  RotateBody,
  UpdateClientBody,
} from './client-schemas.ts';
import type { ClientRow, ClientService } from './client-service.ts';

export function clientView(row: ClientRow): ClientView {
  return {
    id: row.id,
    client_id: row.client_id,
    name: row.name,
    grant_types: fromJson<string[]>(row.grant_types),
    permissions: fromJson<string[]>(row.permissions),
    status: row.status,
    previous_secret_expires_at: row.previous_secret_expires_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const tags = ['clients'];
const security = BEARER;
const problems = problemResponses(401, 403, 404, 422);

/** Tenant administrators manage service clients: `/t/{tenant}/v1/clients`. */
export const clientRoutes: FastifyPluginAsyncTypebox<{ clients: ClientService }> = async (
  app,
  { clients },
) => {
  app.post(
    '/t/:tenant/v1/clients',
    {
      config: { permission: 'client:create', escalation: 'client-permissions' },
      schema: {
        tags,
        security,
        summary: 'Create a service client',
        description: '`client_secret` is shown in this response only; it is stored as a keyed hash.',
        body: CreateClientBody,
        response: { 201: ClientWithSecret, ...problems },
      },
    },
    async (request, reply) => {
      const created = await clients.create(request.tenant!.id, request.body, request.auth!.subject);
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .header('location', `/t/${request.tenant!.slug}/v1/clients/${created.id}`);
      return { ...clientView(created), client_secret: created.secret };
    },
  );

  app.get(
    '/t/:tenant/v1/clients',
    {
      config: { permission: 'client:read' },
      schema: {
        tags,
        security,
        summary: 'List service clients',
        description: 'Cursor-paginated (`limit`, `cursor`, `Link` header). Secrets are never listed.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: ClientPage, 400: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? 50;
      const rows = await clients.list(request.tenant!.id, limit, idCursor(request.query.cursor));
      return toPage(request, reply, rows, limit, (r) => [r.id], clientView);
    },
  );

  app.get(
    '/t/:tenant/v1/clients/:id',
    {
      config: { permission: 'client:read' },
      schema: {
        tags,
        security,
        summary: 'Read a service client',
        description: 'Its grants and status; the secret is shown only when created or rotated.',
        params: ClientParams,
        response: { 200: ClientViewSchema, ...problems },
      },
    },
    async (request) => clientView(await clients.get(request.tenant!.id, request.params.id)),
  );

  app.patch(
    '/t/:tenant/v1/clients/:id',
    {
      config: { permission: 'client:update', escalation: 'client-permissions' },
      schema: {
        tags,
        security,
        summary: 'Change a service client',
        description: 'Disabling a client refuses its outstanding tokens at once.',
        params: ClientParams,
        body: UpdateClientBody,
        response: { 200: ClientViewSchema, ...problems },
      },
    },
    async (request) =>
      clientView(
        await clients.update(request.tenant!.id, request.params.id, request.body, request.auth!.subject),
      ),
  );

  app.delete(
    '/t/:tenant/v1/clients/:id',
    {
      config: { permission: 'client:delete' },
      schema: {
        tags,
        security,
        summary: 'Delete a service client',
        description: 'Its secret and every access token it holds stop working at once.',
        params: ClientParams,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await clients.remove(request.tenant!.id, request.params.id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/t/:tenant/v1/clients/:id/secret',
    {
      config: { permission: 'client:update' },
      schema: {
        tags,
        security,
        summary: "Rotate a service client's secret",
        description:
          'The new secret is shown once; the previous one keeps working for `overlap_seconds` (default one day).',
        params: ClientParams,
        body: RotateBody,
        response: { 200: ClientWithSecret, ...problems },
      },
    },
    async (request, reply) => {
      const rotated = await clients.rotate(
        request.tenant!.id,
        request.params.id,
        request.body.overlap_seconds ?? 86_400,
        request.auth!.subject,
      );
      reply.header('cache-control', 'no-store');
      return { ...clientView(rotated), client_secret: rotated.secret };
    },
  );
};
