import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Tx } from '../db/index.ts';
import { BEARER, createdCursor, ProblemSchema, problemResponses, toPage } from '../http/index.ts';
import type { TenantDirectory } from './tenant-directory.ts';
import type { Tenant } from './tenant-repository.ts';
import {
  CreateTenantBody,
  ListTenantsQuery,
  TenantPage,
  TenantParams,
  TenantView,
  UpdateTenantBody,
} from './tenant-schemas.ts';
import type { TenantService } from './tenant-service.ts';

export function tenantView(t: Tenant): TenantView {
  return {
    id: t.id,
    slug: t.slug,
    display_name: t.displayName,
    status: t.status === 'suspended' ? 'suspended' : 'active',
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

const problems = problemResponses(401, 403, 404, 422);
const tags = ['tenants'];

/** Platform routes for operators: `/v1/tenants`. */
export const tenantRoutes: FastifyPluginAsyncTypebox<{
  service: TenantService;
  directory: TenantDirectory;
  /** Creates and invites the first administrator inside the tenant's creating transaction. */
  inviteAdministrator: (trx: Tx, tenant: Tenant, email: string, actorId: string) => Promise<void>;
}> = async (app, { service, directory, inviteAdministrator }) => {
  app.post(
    '/v1/tenants',
    {
      config: { permission: 'tenant:create' },
      schema: {
        tags,
        summary: 'Create a tenant',
        description:
          'Creates an active tenant with its system roles (`admin`, `user`, `auditor`) and default settings; with `admin_email`, its first administrator is created and invited in the same transaction.',
        security: BEARER,
        body: CreateTenantBody,
        response: { 201: TenantView, 409: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const actorId = request.auth!.subject;
      const email = request.body.admin_email;
      const tenant = await service.create(request.body, actorId, {
        ...(email ? { within: (trx, created) => inviteAdministrator(trx, created, email, actorId) } : {}),
      });
      return reply.code(201).header('location', `/v1/tenants/${tenant.slug}`).send(tenantView(tenant));
    },
  );

  app.get(
    '/v1/tenants',
    {
      config: { permission: 'tenant:list' },
      schema: {
        tags,
        summary: 'List tenants',
        description: 'Cursor-paginated, oldest first; deleted tenants are not listed.',
        security: BEARER,
        querystring: ListTenantsQuery,
        response: { 200: TenantPage, 400: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? 50;
      const after = createdCursor(request.query.cursor);
      const rows = await service.list({
        limit,
        ...(after ? { after } : {}),
        ...(request.query.status ? { status: request.query.status } : {}),
      });
      return toPage(request, reply, rows, limit, (t) => [t.createdAt, t.id], tenantView);
    },
  );

  app.get(
    '/v1/tenants/:tenant',
    {
      config: { permission: 'tenant:read' },
      schema: {
        tags,
        summary: 'Read a tenant',
        description: 'By slug; a suspended tenant is listed with `status: suspended`, a deleted one is 404.',
        security: BEARER,
        params: TenantParams,
        response: { 200: TenantView, ...problems },
      },
    },
    async (request) => tenantView(await service.get(request.params.tenant)),
  );

  app.patch(
    '/v1/tenants/:tenant',
    {
      config: { permission: 'tenant:update' },
      schema: {
        tags,
        summary: 'Rename, suspend or reactivate a tenant',
        description:
          'Suspending stops every sign-in and token of the tenant; the platform tenant cannot be suspended.',
        security: BEARER,
        params: TenantParams,
        body: UpdateTenantBody,
        response: { 200: TenantView, 409: ProblemSchema, ...problems },
      },
    },
    async (request) => {
      const tenant = await service.update(request.params.tenant, request.body, request.auth!.subject);
      directory.forget(tenant.slug);
      return tenantView(tenant);
    },
  );

  app.delete(
    '/v1/tenants/:tenant',
    {
      config: { permission: 'tenant:delete' },
      schema: {
        tags,
        summary: 'Delete a tenant',
        description:
          'Soft delete: the tenant disappears at once and its data is purged after the retention period.',
        security: BEARER,
        params: TenantParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, 409: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.tenant, request.auth!.subject);
      directory.forget(request.params.tenant);
      return reply.code(204).send(null);
    },
  );
};
