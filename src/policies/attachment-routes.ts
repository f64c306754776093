import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DEFAULT_PAGE_SIZE, textIdCursor, toPage } from '../http/index.ts';
import type { AttachmentService } from './attachment-service.ts';
import { MAX_POLICIES_PER_TARGET } from './policy-document.ts';
import { AttachmentPage, AttachmentParams, ListQuery, PolicyParams } from './policy-schemas.ts';
import { noContent, problems, security, tags } from './policy-view.ts';

const path = '/t/:tenant/v1/policies/:id/attachments/:target_type/:target_id';

/** Attaching policies to roles, groups and users: `/t/{tenant}/v1/policies/{id}/attachments…`. */
export const attachmentRoutes: FastifyPluginAsyncTypebox<{ attachments: AttachmentService }> = async (
  app,
  { attachments },
) => {
  app.get(
    '/t/:tenant/v1/policies/:id/attachments',
    {
      config: { permission: 'policy:read' },
      schema: {
        tags,
        summary: 'List where a policy is attached',
        description:
          'The roles, groups and users holding the policy, by target type then id, cursor-paginated with ' +
          'an RFC 8288 `Link: rel="next"` header.',
        security,
        params: PolicyParams,
        querystring: ListQuery,
        response: { 200: AttachmentPage, ...problems },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const after = textIdCursor(cursor) as readonly [string, string] | undefined;
      const rows = await attachments.list(request.tenant!.id, request.params.id, {
        limit,
        ...(after ? { after } : {}),
      });
      return toPage(
        request,
        reply,
        rows,
        limit,
        (a) => [a.target_type, a.target_id],
        (a) => a,
      );
    },
  );

  app.put(
    path,
    {
      config: { permission: 'policy:update', escalation: 'policy-attachment' },
      schema: {
        tags,
        summary: 'Attach a policy to a role, group or user',
        description:
          '`target_type` is `role`, `group` or `user`; the target must exist in the tenant (404 ' +
          '`IAM_ERR_ROLE_NOT_FOUND`, `IAM_ERR_GROUP_NOT_FOUND` or `IAM_ERR_USER_NOT_FOUND`). Idempotent. ' +
          `A target holds at most ${MAX_POLICIES_PER_TARGET} policies (422 \`IAM_ERR_POLICY_LIMIT\`).`,
        security,
        params: AttachmentParams,
        response: { 204: noContent('Attached (also when it was already).'), ...problems },
      },
    },
    async (request, reply) => {
      const { id, target_type, target_id } = request.params;
      await attachments.attach(request.tenant!.id, id, target_type, target_id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    path,
    {
      config: { permission: 'policy:update' },
      schema: {
        tags,
        summary: 'Detach a policy from a role, group or user',
        description:
          'A policy that is not attached to the target is a 404 `IAM_ERR_POLICY_NOT_FOUND`; an unknown ' +
          'target is its own 404.',
        security,
        params: AttachmentParams,
        response: { 204: noContent('Detached.'), ...problems },
      },
    },
    async (request, reply) => {
      const { id, target_type, target_id } = request.params;
      await attachments.detach(request.tenant!.id, id, target_type, target_id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );
};
