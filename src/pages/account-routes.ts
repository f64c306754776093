import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findUserById } from '../users/index.ts';
import { accountBody } from './account-views.ts';
import type { FormGuards, PageContext } from './page-deps.ts';
import { seeOther, sendPage } from './render.ts';

/** Who is signed in, and signing out. The refresh token is only looked at, never rotated, here. */
export function accountRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const { services, database, session } = ctx;

  /** The live session behind the page cookie, or undefined (no cookie, tampered, ended, expired). */
  const current = async (request: FastifyRequest) => {
    const token = session.read(request, request.tenant!.slug);
    if (!token) return undefined;
    const live = await services.sessions.inspectRefreshToken(request.tenant!.id, token);
    return live ? { ...live, token } : undefined;
  };

  app.get(
    '/t/:tenant/account',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const live = await current(request);
      const tenantId = request.tenant!.id;
      const user = live
        ? await database.withTenant(tenantId, (trx) => findUserById(trx, tenantId, live.userId))
        : undefined;
      if (!live || user?.status !== 'active') {
        if (live) session.clear(reply, request.tenant!.slug);
        return seeOther(reply, 'sign-in');
      }
      return sendPage(reply, 200, {
        title: 'Your account',
        tenantName: request.tenant!.displayName,
        body: accountBody({ csrf: reply.generateCsrf(), email: user.email, name: user.name }),
      });
    },
  );

  app.post(
    '/t/:tenant/sign-out',
    { config: { permission: 'public', rateLimit: 'token' }, schema: { hide: true }, ...guards },
    async (request, reply) => {
      const live = await current(request);
      if (live) await services.sessions.revokeByRefreshToken(request.tenant!.id, live.token, live.userId);
      session.clear(reply, request.tenant!.slug);
      return seeOther(reply, 'sign-in');
    },
  );
}
