import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError, BEARER, createdCursor, noContent, problemResponses, toPage } from '../http/index.ts';
import { PLATFORM_SLUG } from '../tenants/index.ts';
import {
  DeadLetterDetail,
  DeadLetterFilterBody,
  DeadLetterListQuery,
  DeadLetterPage,
  DeadLetterParams,
  DeletedView,
  ReplayedView,
} from './dead-letter-schemas.ts';
import type { DeadLetterService } from './dead-letter-service.ts';
import { type DeadLetter, type DeadLetterFilter, type DeadLetterKey, deadLetterKey } from './queue/index.ts';

const tags = ['dead-letters'];
const security = BEARER;

interface FilterInput {
  consumer?: string;
  type?: string;
  tenant_id?: string;
  failed_from?: string;
  failed_to?: string;
}

function filterOf(input: FilterInput): DeadLetterFilter {
  return {
    ...(input.consumer !== undefined ? { consumer: input.consumer } : {}),
    ...(input.type !== undefined ? { type: input.type } : {}),
    ...(input.tenant_id !== undefined ? { tenantId: input.tenant_id.toLowerCase() } : {}),
    ...(input.failed_from !== undefined ? { failedFrom: new Date(input.failed_from).toISOString() } : {}),
    ...(input.failed_to !== undefined ? { failedTo: new Date(input.failed_to).toISOString() } : {}),
  };
}

function view(letter: DeadLetter): Omit<DeadLetter, 'body'> {
  const { body: _body, ...rest } = letter;
  return rest;
}

/**
 * Dead letters of every consumer, in two views: the platform's (`/v1/dead-letters`, platform
 * operators, all tenants) and a tenant's (`/t/{tenant}/v1/dead-letters`, its administrators).
 */
export const deadLetterRoutes: FastifyPluginAsyncTypebox<{ deadLetters: DeadLetterService }> = async (
  app,
  { deadLetters },
) => {
  for (const platform of [true, false]) {
    const base = platform ? '/v1/dead-letters' : '/t/:tenant/v1/dead-letters';
    const where = platform ? 'of every tenant (platform operators)' : 'of this tenant';
    // The platform view spans tenants: only the platform tenant's operators may take it, whatever
    // permissions a tenant grants its own administrators.
    const scopeOf = (request: FastifyRequest): string | null => {
      if (!platform) return request.tenant!.id;
      if (request.auth!.tenantSlug !== PLATFORM_SLUG)
        throw new AppError(
          'IAM_ERR_FORBIDDEN',
          'The platform view of dead letters is for platform operators.',
        );
      return null;
    };
    const actor = (request: FastifyRequest) => request.auth!.subject;

    app.get(
      base,
      {
        config: { permission: 'deadletter:read' },
        schema: {
          tags,
          security,
          summary: `List dead letters ${where}`,
          description: 'Newest first; filter by consumer, event type, tenant and time of failure.',
          querystring: DeadLetterListQuery(platform),
          response: { 200: DeadLetterPage, ...problemResponses(400, 401, 403, 422) },
        },
      },
      async (request, reply) => {
        const { limit = 50, cursor, ...filter } = request.query;
        const after = createdCursor(cursor) as DeadLetterKey | undefined;
        const rows = await deadLetters.list(scopeOf(request), limit, filterOf(filter), after);
        return toPage(request, reply, rows, limit, deadLetterKey, view);
      },
    );

    app.get(
      `${base}/:id`,
      {
        config: { permission: 'deadletter:read' },
        schema: {
          tags,
          security,
          summary: `Show a dead letter ${where}`,
          description: 'With the message body as the consumer received it (sealed secrets stay sealed).',
          params: DeadLetterParams,
          response: { 200: DeadLetterDetail, ...problemResponses(401, 403, 404) },
        },
      },
      async (request) => deadLetters.get(scopeOf(request), request.params.id),
    );

    app.post(
      `${base}/:id/replay`,
      {
        config: { permission: 'deadletter:replay' },
        schema: {
          tags,
          security,
          summary: `Replay a dead letter ${where}`,
          description: 'Hands the message to its consumer again, once, and removes it from the dead letters.',
          params: DeadLetterParams,
          response: { 200: ReplayedView, ...problemResponses(401, 403, 404) },
        },
      },
      async (request) => {
        await deadLetters.replayOne(scopeOf(request), request.params.id, actor(request));
        return { replayed: 1 };
      },
    );

    app.post(
      `${base}/replay`,
      {
        config: { permission: 'deadletter:replay' },
        schema: {
          tags,
          security,
          summary: `Replay dead letters by filter ${where}`,
          description:
            'Replays up to 1,000 matching dead letters, oldest first; call again while `replayed` is 1,000.',
          body: DeadLetterFilterBody(platform),
          response: { 200: ReplayedView, ...problemResponses(401, 403, 422) },
        },
      },
      async (request) => ({
        replayed: await deadLetters.replayMatching(scopeOf(request), filterOf(request.body), actor(request)),
      }),
    );

    app.delete(
      `${base}/:id`,
      {
        config: { permission: 'deadletter:delete' },
        schema: {
          tags,
          security,
          summary: `Delete a dead letter ${where}`,
          description: 'Removes it without replaying it; the message is lost.',
          params: DeadLetterParams,
          response: { 204: noContent('Deleted.'), ...problemResponses(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deadLetters.deleteOne(scopeOf(request), request.params.id, actor(request));
        return reply.code(204).send(null);
      },
    );

    app.post(
      `${base}/purge`,
      {
        config: { permission: 'deadletter:delete' },
        schema: {
          tags,
          security,
          summary: `Purge dead letters by filter ${where}`,
          description: 'Deletes every matching dead letter; an empty filter purges them all.',
          body: DeadLetterFilterBody(platform),
          response: { 200: DeletedView, ...problemResponses(401, 403, 422) },
        },
      },
      async (request) => ({
        deleted: await deadLetters.purge(scopeOf(request), filterOf(request.body), actor(request)),
      }),
    );
  }
};
