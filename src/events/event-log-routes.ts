import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../db/index.ts';
import {
  BEARER,
  DEFAULT_PAGE_SIZE,
  idCursor,
  PageQuery,
  pageSchema,
  problemResponses,
  toPage,
} from '../http/index.ts';
import { listTenantEvents } from './event-log.ts';

const EventLogQuery = Type.Object(
  {
    ...PageQuery,
    type: Type.Optional(
      Type.String({
        pattern: '^[a-z_]+(\\.[a-z_]+)*(\\.\\*)?$',
        maxLength: 100,
        description: 'One event type (`user.created`) or a family (`user.*`); see docs/events.md.',
      }),
    ),
  },
  { additionalProperties: false },
);

const LoggedEventView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String(),
  version: Type.Integer(),
  payload: Type.Record(Type.String(), Type.Unknown(), {
    description: 'As in docs/events.md, without the sealed link tokens of email events.',
  }),
  occurred_at: Type.String({ format: 'date-time' }),
});

/** The tenant's event log: what happened, who acted, newest first (its audit trail). */
export const eventLogRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (
  app,
  { database },
) => {
  app.get(
    '/t/:tenant/v1/events',
    {
      config: { permission: 'event:read' },
      schema: {
        tags: ['events'],
        security: BEARER,
        summary: "List the tenant's events",
        description:
          'Newest first, cursor-paginated with an RFC 8288 `Link: rel="next"` header. Events are kept for ' +
          'OUTBOX_RETENTION_DAYS after delivery.',
        querystring: EventLogQuery,
        response: { 200: pageSchema(LoggedEventView), ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor, type } = request.query;
      const rows = await listTenantEvents(database, request.tenant!.id, {
        limit,
        after: idCursor(cursor),
        ...(type !== undefined ? { type } : {}),
      });
      return toPage(
        request,
        reply,
        rows,
        limit,
        (e) => [e.id],
        (e) => e,
      );
    },
  );
};
