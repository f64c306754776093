import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BEARER, ProblemSchema, problemResponses, ValidationError } from '../http/index.ts';
import { cleanEmail, normalizeEmail } from './email.ts';
import type { SelfService } from './self-service.ts';
import type { UserDirectory } from './user-directory.ts';
import { tenantOf } from './user-routes.ts';
import { ChangePasswordBody, PasswordBody, UpdateMyProfileBody, UserView } from './user-schemas.ts';
import type { UserService } from './user-service.ts';
import { etagOf, userView } from './user-view.ts';

const tags = ['users'];
const security = BEARER;
const problems = problemResponses(401, 403, 404, 422);

/** The signed-in user's own account: `/t/{tenant}/v1/me`. */
export const meRoutes: FastifyPluginAsyncTypebox<{
  users: UserService;
  self: SelfService;
  directory: UserDirectory;
}> = async (app, { users, self, directory }) => {
  app.get(
    '/t/:tenant/v1/me',
    {
      config: { permission: 'self:read' },
      schema: {
        tags,
        security,
        summary: 'My profile',
        description: 'The caller’s own profile; the `ETag` header is the `If-Match` value for PATCH /me.',
        response: { 200: UserView, ...problems },
      },
    },
    async (request, reply) => {
      const row = await directory.get(request.tenant!.id, request.auth!.subject);
      reply.header('etag', etagOf(row));
      return userView(row);
    },
  );

  app.patch(
    '/t/:tenant/v1/me',
    {
      config: { permission: 'self:update' },
      schema: {
        tags,
        security,
        summary: 'Change my profile',
        description:
          'Status, verification, roles and tenant cannot be changed here. A new email needs `current_password` (a stolen access token alone must not move the account to another inbox), must be verified again, and the old address is told.',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: UpdateMyProfileBody,
        response: { 200: UserView, 409: ProblemSchema, 412: ProblemSchema, ...problems },
      },
    },
    async (request, reply) => {
      const ifMatch = request.headers['if-match'];
      const { current_password: password, ...changes } = request.body;
      if (changes.email !== undefined) {
        const current = await users.get(request.tenant!.id, request.auth!.subject);
        if (normalizeEmail(cleanEmail(changes.email)) !== current.email_normalized) {
          if (password === undefined)
            throw new ValidationError([
              { pointer: '/current_password', message: 'is required to change the email', in: 'body' },
            ]);
          await self.confirmPassword(request.tenant!.id, request.auth!.subject, password);
        }
      }
      const row = await users.save(tenantOf(request), request.auth!.subject, changes, {
        ...(ifMatch !== undefined ? { ifMatch } : {}),
        actorId: request.auth!.subject,
      });
      reply.header('etag', etagOf(row));
      return userView(row);
    },
  );

  app.post(
    '/t/:tenant/v1/me/password',
    {
      // The one thing a session with an expired password may do.
      config: { permission: 'self:update', restricted: ['password_change'] },
      schema: {
        tags,
        security,
        summary: 'Change my password',
        description:
          "Needs the current password; the new one must meet the tenant's policy. A session restricted by an expired password becomes a full one (its next refresh says so); the user's other sessions end.",
        body: ChangePasswordBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await self.changePassword(
        tenantOf(request),
        request.auth!.subject,
        request.auth!.sessionId,
        request.body.current_password,
        request.body.new_password,
      );
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/t/:tenant/v1/me',
    {
      config: { permission: 'self:update' },
      schema: {
        tags,
        security,
        summary: 'Delete my account',
        description:
          'Needs the current password. Restorable by an administrator within the retention period.',
        body: PasswordBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await self.deleteSelf(request.tenant!.id, request.auth!.subject, request.body.password);
      return reply.code(204).send(null);
    },
  );
};
