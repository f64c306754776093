import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fromJson } from '../db/index.ts';
import { AppError, BEARER, problemResponses } from '../http/index.ts';
import { type SessionRow, sessionEnd } from './session-repository.ts';
import type { SessionService } from './session-service.ts';

const SessionView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  current: Type.Boolean({ description: 'The session of the token that asked.' }),
  amr: Type.Array(Type.String()),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
});
const SessionList = Type.Object({ items: Type.Array(SessionView) });
const UserParams = Type.Object({ tenant: Type.String(), id: Type.String({ maxLength: 64 }) });
const SessionParams = Type.Object({
  tenant: Type.String(),
  id: Type.String({ maxLength: 64 }),
  sid: Type.String({ maxLength: 64 }),
});
const MySessionParams = Type.Object({ tenant: Type.String(), sid: Type.String({ maxLength: 64 }) });

const view = (row: SessionRow, currentId: string) => ({
  id: row.id,
  current: row.id === currentId,
  amr: fromJson<string[]>(row.amr),
  user_agent: row.user_agent,
  ip: row.ip,
  created_at: row.created_at,
  last_used_at: row.last_used_at,
  expires_at: sessionEnd(row),
});

const tags = ['sessions'];
const security = BEARER;
const problems = problemResponses(401, 403, 404);

/** Live sessions: one's own (`/me/sessions`) and, for administrators, any user's. */
export const sessionRoutes: FastifyPluginAsyncTypebox<{
  sessions: SessionService;
  userExists: (tenantId: string, userId: string) => Promise<boolean>;
}> = async (app, { sessions, userExists }) => {
  async function end(tenantId: string, userId: string, sid: string, actorId: string) {
    const ended = await sessions.revokeSessions(tenantId, userId, { ids: [sid], reason: 'revoked', actorId });
    if (ended.length === 0) throw new AppError('IAM_ERR_SESSION_NOT_FOUND', 'No such live session.');
  }
  async function requireUser(tenantId: string, userId: string) {
    if (!(await userExists(tenantId, userId))) throw new AppError('IAM_ERR_USER_NOT_FOUND', 'No such user.');
  }

  app.get(
    '/t/:tenant/v1/me/sessions',
    {
      config: { permission: 'self:read' },
      schema: {
        tags,
        security,
        summary: 'My live sessions',
        description:
          'Every live session of the caller, with the device it was started from; `current` marks the session of this token.',
        response: { 200: SessionList, ...problems },
      },
    },
    async (request) => {
      const auth = request.auth!;
      return {
        items: (await sessions.list(auth.tenantId, auth.subject)).map((s) => view(s, auth.sessionId)),
      };
    },
  );

  app.delete(
    '/t/:tenant/v1/me/sessions/:sid',
    {
      config: { permission: 'self:update' },
      schema: {
        tags,
        security,
        summary: 'End one of my sessions',
        description:
          'Its refresh token and every access token of the session stop working at once. An unknown or already ended session is 404 (IAM_ERR_SESSION_NOT_FOUND).',
        params: MySessionParams,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      await end(auth.tenantId, auth.subject, request.params.sid, auth.subject);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/t/:tenant/v1/users/:id/sessions',
    {
      config: { permission: 'session:read' },
      schema: {
        tags,
        security,
        summary: "A user's live sessions",
        description: 'For administrators: every live session of the user, with the device that started it.',
        params: UserParams,
        response: { 200: SessionList, ...problems },
      },
    },
    async (request) => {
      await requireUser(request.tenant!.id, request.params.id);
      return {
        items: (await sessions.list(request.tenant!.id, request.params.id)).map((s) =>
          view(s, request.auth!.sessionId),
        ),
      };
    },
  );

  app.delete(
    '/t/:tenant/v1/users/:id/sessions/:sid',
    {
      config: { permission: 'session:revoke' },
      schema: {
        tags,
        security,
        summary: "End a user's session",
        description:
          'Its refresh token and every access token of the session stop working at once, on every replica.',
        params: SessionParams,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await requireUser(request.tenant!.id, request.params.id);
      await end(request.tenant!.id, request.params.id, request.params.sid, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );
};
