import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createdCursor, DEFAULT_PAGE_SIZE, numberCursor, ProblemSchema, toPage } from '../http/index.ts';
import { attachmentRoutes } from './attachment-routes.ts';
import type { AttachmentService } from './attachment-service.ts';
import { MAX_POLICIES_PER_TENANT } from './policy-document.ts';
import { parseJsonStrictly } from './policy-json.ts';
import {
  CreatePolicyBody,
  IfMatch,
  ListQuery,
  PolicyPage,
  PolicyParams,
  PolicyVersionPage,
  PolicyView,
  ReadPolicyQuery,
  UpdatePolicyBody,
} from './policy-schemas.ts';
import type { PolicyService } from './policy-service.ts';
import { etagOf, noContent, policyView, problems, security, tags, versionView } from './policy-view.ts';

/** Tenant routes for policies, their versions and attachments: `/t/{tenant}/v1/policies…`. */
export const policyRoutes: FastifyPluginAsyncTypebox<{
  policies: PolicyService;
  attachments: AttachmentService;
}> = async (app, { policies, attachments }) => {
  // Bodies here carry documents, whose keys must not repeat (policy-spec §1; see policy-json.ts).
  parseJsonStrictly(app, (pointer) => pointer.startsWith('/document/'));

  app.post(
    '/t/:tenant/v1/policies',
    {
      config: { permission: 'policy:create' },
      schema: {
        tags,
        summary: 'Create a policy',
        description:
          'Saves version 1 of a policy document (docs/policies.md). An invalid document is a 422 ' +
          '`IAM_ERR_POLICY_INVALID` whose `errors[]` point into `/document`. A tenant holds at most ' +
          `${MAX_POLICIES_PER_TENANT.toLocaleString('en')} policies (422 \`IAM_ERR_POLICY_LIMIT\`).`,
        security,
        body: CreatePolicyBody,
        response: { 201: PolicyView, 409: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const tenant = request.tenant!;
      const policy = await policies.create(tenant.id, request.body, request.auth!.subject);
      return reply
        .code(201)
        .header('location', `/t/${tenant.slug}/v1/policies/${policy.id}`)
        .header('etag', etagOf(policy))
        .send(policyView(policy));
    },
  );

  app.get(
    '/t/:tenant/v1/policies',
    {
      config: { permission: 'policy:list' },
      schema: {
        tags,
        summary: 'List policies',
        description: 'Oldest first, cursor-paginated, each with its current document.',
        security,
        querystring: ListQuery,
        response: { 200: PolicyPage, ...problems },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const after = createdCursor(cursor);
      const rows = await policies.list(request.tenant!.id, { limit, ...(after ? { after } : {}) });
      return toPage(
        request,
        reply,
        rows,
        limit,
        (p) => [p.createdAt, p.id],
        (p) => policyView(p),
      );
    },
  );

  app.get(
    '/t/:tenant/v1/policies/:id',
    {
      config: { permission: 'policy:read' },
      schema: {
        tags,
        summary: 'Read a policy',
        description:
          'The current version, or the saved version `?version=N` (404 when there is none). The `ETag` ' +
          'names the current version; send it back in `If-Match` when updating.',
        security,
        params: PolicyParams,
        querystring: ReadPolicyQuery,
        response: { 200: PolicyView, ...problems },
      },
    },
    async (request, reply) => {
      const { policy, shown } = await policies.get(
        request.tenant!.id,
        request.params.id,
        request.query.version,
      );
      reply.header('etag', etagOf(policy));
      return policyView(policy, shown);
    },
  );

  app.patch(
    '/t/:tenant/v1/policies/:id',
    {
      config: { permission: 'policy:update', escalation: 'policy-document' },
      schema: {
        tags,
        summary: 'Change a policy (saves a new version)',
        description:
          'Send at least one of `name`, `description` and `document`; each change saves a new version and ' +
          'the history keeps every one. Decisions follow at once wherever the policy is attached. Send ' +
          '`If-Match` with the ETag you read to avoid overwriting a concurrent change (412).',
        security,
        params: PolicyParams,
        headers: IfMatch,
        body: UpdatePolicyBody,
        response: { 200: PolicyView, 409: ProblemSchema, 412: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const ifMatch = request.headers['if-match'];
      const policy = await policies.update(request.tenant!.id, request.params.id, request.body, {
        ...(ifMatch !== undefined ? { ifMatch } : {}),
        actorId: request.auth!.subject,
      });
      reply.header('etag', etagOf(policy));
      return policyView(policy);
    },
  );

  app.get(
    '/t/:tenant/v1/policies/:id/versions',
    {
      config: { permission: 'policy:read' },
      schema: {
        tags,
        summary: 'List the versions of a policy',
        description: 'Every saved version with its document, newest first, cursor-paginated.',
        security,
        params: PolicyParams,
        querystring: ListQuery,
        response: { 200: PolicyVersionPage, ...problems },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const after = numberCursor(cursor);
      const rows = await policies.versions(request.tenant!.id, request.params.id, {
        limit,
        ...(after ? { after } : {}),
      });
      return toPage(request, reply, rows, limit, (v) => [v.version], versionView);
    },
  );

  app.delete(
    '/t/:tenant/v1/policies/:id',
    {
      config: { permission: 'policy:delete' },
      schema: {
        tags,
        summary: 'Delete a policy',
        description: 'Deletes the policy with its versions and attachments; decisions follow at once.',
        security,
        params: PolicyParams,
        response: { 204: noContent('Deleted.'), ...problems },
      },
    },
    async (request, reply) => {
      await policies.remove(request.tenant!.id, request.params.id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  await app.register(attachmentRoutes, { attachments });
};
