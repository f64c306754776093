import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { accountBody } from './account-views.ts';
import { type FormBody, field, queryParam } from './form.ts';
import { humanMessage } from './messages.ts';
import { type FormGuards, type PageContext, tenantOf } from './page-deps.ts';
import { frameOf, seeOther, sendPage } from './render.ts';
import type { SignedIn } from './signed-in.ts';

// What the account page says after a change (`account?done=…`, the 303 that follows each form).
const NOTICES: Partial<Record<string, string>> = {
  profile: 'Your name was saved.',
  password: 'Your password was changed, and your other sessions were signed out.',
  session: 'That session was signed out.',
  'session-gone': 'That session had already ended.',
  others: 'Every other session was signed out.',
  'mfa-off': 'Two-step verification is off.',
};

// The profile's `name` as the API takes it (users' profile schema).
const NAME_MAX = 200;

/** The account page (profile, security, sessions) and its forms; sign-out. */
export function accountRoutes(app: FastifyInstance, ctx: PageContext, guards: FormGuards): void {
  const { services, signedIn } = ctx;
  const post = {
    config: { permission: 'public', rateLimit: 'token' },
    schema: { hide: true },
    ...guards,
  } as const;

  async function showAccount(
    request: FastifyRequest,
    reply: FastifyReply,
    who: SignedIn,
    status: number,
    extra: { notice?: string; error?: string; nameError?: string; name?: string } = {},
  ) {
    const [canRead, canUpdate] = await Promise.all([
      signedIn.may(request, who, 'self:read'),
      signedIn.may(request, who, 'self:update'),
    ]);
    const mode = request.tenantSettings.mfa;
    const factor =
      canRead && mode !== 'disabled' ? await services.mfa.status(tenantOf(request), who.user.id) : undefined;
    return sendPage(reply, status, {
      ...frameOf(request, 'Your account'),
      body: accountBody({
        csrf: reply.generateCsrf(),
        email: who.user.email,
        name: extra.name ?? who.user.name,
        notice: extra.notice,
        error: extra.error,
        nameError: extra.nameError,
        canRead,
        canUpdate,
        mfa: factor && {
          required: mode === 'required',
          enrolled: factor.totp.enrolled,
          recoveryCodesLeft: factor.recovery_codes_remaining,
        },
        sessions: canRead
          ? who.sessions.map((s) => ({
              id: s.id,
              current: s.id === who.session.id,
              userAgent: s.user_agent,
              ip: s.ip,
              createdAt: s.created_at,
              lastUsedAt: s.last_used_at,
            }))
          : [],
      }),
    });
  }

  app.get(
    '/t/:tenant/account',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const who = await signedIn.require(request, reply);
      return showAccount(request, reply, who, 200, {
        notice: NOTICES[queryParam(request.query, 'done', 32)],
      });
    },
  );

  app.post('/t/:tenant/profile', post, async (request, reply) => {
    const who = await signedIn.require(request, reply, { permission: 'self:update' });
    const name = field(request.body as FormBody, 'name', 4 * NAME_MAX).trim();
    if (name.length > NAME_MAX)
      return showAccount(request, reply, who, 422, {
        name,
        nameError: `Use at most ${NAME_MAX} characters.`,
      });
    try {
      await services.users.save(
        tenantOf(request),
        who.user.id,
        { name: name || null },
        { actorId: who.user.id },
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return showAccount(request, reply, who, error.status, { name, error: humanMessage(error) });
    }
    return seeOther(reply, 'account?done=profile');
  });

  app.post('/t/:tenant/end-session', post, async (request, reply) => {
    const who = await signedIn.require(request, reply, { permission: 'self:update' });
    const ended = await services.sessions.revokeSessions(request.tenant!.id, who.user.id, {
      ids: [field(request.body as FormBody, 'session', 64)],
      // This browser's own session ends through sign-out, which also clears the cookie.
      keep: who.session.id,
      reason: 'revoked',
      actorId: who.user.id,
    });
    return seeOther(reply, ended.length > 0 ? 'account?done=session' : 'account?done=session-gone');
  });

  app.post('/t/:tenant/end-other-sessions', post, async (request, reply) => {
    const who = await signedIn.require(request, reply, { permission: 'self:update' });
    await services.sessions.revokeSessions(request.tenant!.id, who.user.id, {
      keep: who.session.id,
      reason: 'revoked',
      actorId: who.user.id,
    });
    return seeOther(reply, 'account?done=others');
  });

  // Open to restricted sessions too, and needs no permission: leaving is always allowed.
  app.post('/t/:tenant/sign-out', post, async (request, reply) => {
    const who = await signedIn.find(request);
    if (who) await services.sessions.revokeByRefreshToken(request.tenant!.id, who.token, who.user.id);
    ctx.session.clear(reply, request.tenant!.slug);
    return seeOther(reply, 'sign-in');
  });
}
