import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BEARER,
  DEFAULT_PAGE_SIZE,
  idCursor,
  noContent,
  problemResponses,
  toPage,
  ValidationError,
} from '../http/index.ts';
import type { Webhook } from './webhook-repository.ts';
import {
  CreateWebhookBody,
  ListWebhooksQuery,
  UpdateWebhookBody,
  WebhookPage,
  WebhookParams,
  WebhookView,
  WebhookWithSecret,
} from './webhook-schemas.ts';
import type { WebhookService } from './webhook-service.ts';

/** What callers see of an endpoint: never its secret, sealed or not. */
export function webhookView(webhook: Webhook): WebhookView {
  return {
    id: webhook.id,
    url: webhook.url,
    event_types: webhook.eventTypes,
    status: webhook.status,
    created_at: webhook.createdAt,
    updated_at: webhook.updatedAt,
  };
}

const tags = ['webhooks'];
const security = BEARER;
const problems = problemResponses(401, 403, 404, 422);

/** Rotation takes no input: a body, if any, must be empty (`{}`), so a misplaced field is not ignored. */
function assertEmptyBody(body: unknown): void {
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  const fields = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [''];
  throw new ValidationError(
    fields.map((field) => ({ pointer: `/${field}`, message: 'is not a known field', in: 'body' })),
  );
}

/** Tenant administrators manage webhook endpoints: `/t/{tenant}/v1/webhooks`. */
export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  app.post(
    '/t/:tenant/v1/webhooks',
    {
      config: { permission: 'webhook:create' },
      schema: {
        tags,
        security,
        summary: 'Register a webhook endpoint',
        description:
          'Committed events of the chosen types are POSTed to `url`, signed with HMAC-SHA256 ' +
          '(`Gatehouse-Signature`, see docs/webhooks.md). The signing `secret` is shown in this ' +
          'response only; it is stored encrypted. A URL that is not https, carries credentials or a ' +
          'fragment, or whose host is or resolves to a private, loopback or link-local address is ' +
          'refused with `IAM_ERR_WEBHOOK_URL_REFUSED`.',
        body: CreateWebhookBody,
        response: { 201: WebhookWithSecret, ...problemResponses(400), ...problems },
      },
    },
    async (request, reply) => {
      const tenant = request.tenant!;
      const created = await webhooks.create(tenant.id, request.body, request.auth!.subject);
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .header('location', `/t/${tenant.slug}/v1/webhooks/${created.id}`);
      return { ...webhookView(created), secret: created.secret };
    },
  );

  app.get(
    '/t/:tenant/v1/webhooks',
    {
      config: { permission: 'webhook:list' },
      schema: {
        tags,
        security,
        summary: 'List webhook endpoints',
        description: 'Cursor-paginated, oldest first, with an RFC 8288 `Link: rel="next"` header.',
        querystring: ListWebhooksQuery,
        response: { 200: WebhookPage, ...problemResponses(400), ...problems },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const rows = await webhooks.list(request.tenant!.id, { limit, after: idCursor(cursor) });
      return toPage(request, reply, rows, limit, (w) => [w.id], webhookView);
    },
  );

  app.get(
    '/t/:tenant/v1/webhooks/:id',
    {
      config: { permission: 'webhook:read' },
      schema: {
        tags,
        security,
        summary: 'Read a webhook endpoint',
        description: 'An id that is malformed or belongs to another tenant is not found.',
        params: WebhookParams,
        response: { 200: WebhookView, ...problems },
      },
    },
    async (request) => webhookView(await webhooks.get(request.tenant!.id, request.params.id)),
  );

  app.patch(
    '/t/:tenant/v1/webhooks/:id',
    {
      config: { permission: 'webhook:update' },
      schema: {
        tags,
        security,
        summary: 'Change a webhook endpoint',
        description:
          'Send at least one of `url`, `event_types` and `status`. A new `url` is checked as at ' +
          'registration; `status: disabled` stops deliveries (events are not kept for later).',
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookView, ...problemResponses(400), ...problems },
      },
    },
    async (request) =>
      webhookView(
        await webhooks.update(request.tenant!.id, request.params.id, request.body, request.auth!.subject),
      ),
  );

  app.delete(
    '/t/:tenant/v1/webhooks/:id',
    {
      config: { permission: 'webhook:delete' },
      schema: {
        tags,
        security,
        summary: 'Delete a webhook endpoint',
        description: 'Deliveries stop at once, including retries of events not yet delivered.',
        params: WebhookParams,
        response: { 204: noContent('Deleted.'), ...problems },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.tenant!.id, request.params.id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/t/:tenant/v1/webhooks/:id/rotate-secret',
    {
      config: { permission: 'webhook:update' },
      schema: {
        tags,
        security,
        summary: "Rotate a webhook endpoint's signing secret",
        description:
          'The new `secret` is shown in this response only and signs every delivery from now on, ' +
          'retries included; the previous secret stops at once. Send no body (or `{}`).',
        params: WebhookParams,
        response: { 200: WebhookWithSecret, ...problemResponses(400), ...problems },
      },
    },
    async (request, reply) => {
      assertEmptyBody(request.body);
      const rotated = await webhooks.rotateSecret(
        request.tenant!.id,
        request.params.id,
        request.auth!.subject,
      );
      reply.header('cache-control', 'no-store');
      return { ...webhookView(rotated), secret: rotated.secret };
    },
  );
};
