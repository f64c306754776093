import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/index.ts';
import type { Clock } from '../clock.ts';
import { type Database, fromJson } from '../db/index.ts';
import { AppError, type Principal, type RequestTenant, type SessionRestriction } from '../http/index.ts';
import type { Permission } from '../roles/index.ts';
import { findUserById, type UserRow } from '../users/index.ts';
import type { PageServices } from './page-deps.ts';
import type { PageSession } from './page-session.ts';

// Who a page is for: the live session behind the page cookie, seen as the API would see a bearer
// token of that session (its methods, its restriction), and asked the same permission questions.

export type LiveSession = Awaited<ReturnType<PageServices['sessions']['list']>>[number];

export interface SignedIn {
  /** The page cookie's refresh token: only ever inspected, never rotated. */
  token: string;
  user: UserRow;
  session: LiveSession;
  /** Every live session of the person, newest first, this one among them. */
  sessions: LiveSession[];
  /** The caller as the services take it; there is no access token, so no token id. */
  principal: Principal;
}

/** Thrown by a page that must send the browser elsewhere; the pages' error handler answers 303. */
export class PageRedirect extends Error {
  readonly location: string;
  constructor(location: string) {
    super(`see ${location}`);
    this.location = location;
  }
}

/** The page that lifts each restriction; a restricted session is sent there from every other page. */
export const RESTRICTION_PAGES: Readonly<Record<SessionRestriction, string>> = {
  mfa_enrollment: 'mfa-setup',
  password_change: 'change-password',
};

export interface Requirement {
  /** The permission the API asks for the same action (`self:read`, `self:update`). */
  permission?: Permission;
  /** The restriction under which this page still serves (the page that lifts it). */
  accepts?: SessionRestriction;
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function createSignedIn(deps: {
  services: Pick<PageServices, 'sessions' | 'subjects' | 'authorizer'>;
  database: Database;
  clock: Clock;
  session: PageSession;
}) {
  const { services, database, clock, session } = deps;

  /** The person behind a refresh token, or undefined when it, its session or its user is no longer live. */
  async function load(tenant: RequestTenant, token: string): Promise<SignedIn | undefined> {
    const live = await services.sessions.inspectRefreshToken(tenant.id, token);
    if (!live) return undefined;
    const [user, sessions] = await Promise.all([
      database.withTenant(tenant.id, (trx) => findUserById(trx, tenant.id, live.userId)),
      services.sessions.list(tenant.id, live.userId),
    ]);
    const current = sessions.find((s) => s.id === live.sessionId);
    if (user?.status !== 'active' || !current) return undefined;
    const restriction = current.restriction as SessionRestriction | null;
    const principal: Principal = {
      kind: 'user',
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      subject: user.id,
      sessionId: current.id,
      tokenId: '',
      amr: fromJson<string[]>(current.amr),
      issuedAt: seconds(current.created_at),
      expiresAt: seconds(live.expiresAt),
      ...(restriction ? { restriction } : {}),
    };
    return { token, user, session: current, sessions, principal };
  }

  const find = async (request: FastifyRequest) => {
    const token = session.read(request, request.tenant!.slug);
    return token ? load(request.tenant!, token) : undefined;
  };

  /** Whether the tenant's roles and policies let this person do `permission` to their own account. */
  async function may(request: FastifyRequest, who: SignedIn, permission: Permission): Promise<boolean> {
    const question = {
      permission,
      resource: `user/${who.user.id}`,
      context: {
        request: { ip: request.ip, time: clock.now().toISOString() },
        resource: { tenant: who.principal.tenantId, owner: who.user.id },
      },
    };
    // Pages act for users only, never for service clients, so no client permissions are looked up.
    const deps = { ...services, clientPermissions: async () => undefined };
    return (await authorize(who.principal, question, deps)) === 'allowed';
  }

  return {
    load,
    find,
    may,

    /**
     * The person, allowed what the page does; otherwise the browser goes to sign-in (clearing a dead
     * cookie) or to the page that lifts the session's restriction, or the page is refused (403).
     */
    async require(request: FastifyRequest, reply: FastifyReply, need: Requirement = {}): Promise<SignedIn> {
      const who = await find(request);
      if (!who) {
        if (session.read(request, request.tenant!.slug)) session.clear(reply, request.tenant!.slug);
        throw new PageRedirect('sign-in');
      }
      const restriction = who.principal.restriction;
      if (restriction && restriction !== need.accepts) throw new PageRedirect(RESTRICTION_PAGES[restriction]);
      if (need.permission && !(await may(request, who, need.permission)))
        throw new AppError('IAM_ERR_FORBIDDEN', `This needs the permission ${need.permission}.`);
      return who;
    },
  };
}

export type SignedInPages = ReturnType<typeof createSignedIn>;
