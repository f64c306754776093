import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { type Database, fromJson, type Tx, uuidv7 } from '../db/index.ts';
import { appendEvent, recordInvalidation } from '../events/index.ts';
import { OAuthError, type SessionRestriction } from '../http/index.ts';
import type { Tenant, TenantSettings } from '../tenants/index.ts';
import type { AccessTokens } from './access-tokens.ts';
import {
  findRefreshToken,
  insertRefreshToken,
  insertSession,
  listLiveSessions,
  markRevoked,
  refreshAllowed,
  rotateRefreshToken,
  type SessionRow,
  sessionEnd,
} from './session-repository.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

type TenantRef = Pick<Tenant, 'id' | 'slug'> & { settings: TenantSettings };

// Revocation entries must outlive every access token they can affect.
const MAX_ACCESS_TOKEN_SECONDS = 86_400;

/** Sessions and refresh-token families (rotated on every use; reuse ends the family). */
export function createSessionService(deps: { database: Database; clock: Clock; tokens: AccessTokens }) {
  const { database, clock, tokens } = deps;
  const newRefreshToken = () => randomBytes(32).toString('base64url');
  const later = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

  async function respond(
    tenant: TenantRef,
    userId: string,
    sessionId: string,
    amr: string[],
    refreshToken: string,
    restriction: SessionRestriction | null,
  ): Promise<TokenResponse> {
    const issued = await tokens.issue({
      tenant,
      subject: { kind: 'user', userId, sessionId, amr, restriction },
      ttlSeconds: tenant.settings.tokens.access_token_ttl_seconds,
    });
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      refresh_token: refreshToken,
    };
  }

  /** Ends sessions everywhere: the rows, an invalidation every process applies, and the event. */
  async function revoke(
    trx: Tx,
    tenantId: string,
    userId: string,
    sessionIds: string[],
    reason: string,
    actorId: string | null,
    now: Date,
  ) {
    const revoked = await markRevoked(trx, tenantId, sessionIds, reason, now.toISOString());
    for (const id of revoked) {
      await recordInvalidation(
        trx,
        {
          tenantId,
          kind: 'session',
          subject: id,
          notBefore: null,
          expiresAt: later(now, MAX_ACCESS_TOKEN_SECONDS),
        },
        now,
      );
    }
    if (revoked.length > 0) {
      await appendEvent(
        trx,
        {
          type: 'session.revoked',
          tenantId,
          payload: { tenant_id: tenantId, user_id: userId, session_ids: revoked, reason, actor_id: actorId },
        },
        now,
      );
    }
    return revoked;
  }

  return {
    /**
     * Starts a session after a successful sign-in and issues its first tokens. `alsoWrite` adds the
     * caller's own writes of the sign-in to the session's transaction, so they commit together.
     */
    async start(
      tenant: TenantRef,
      userId: string,
      amr: string[],
      client: ClientInfo,
      restriction: SessionRestriction | null = null,
      alsoWrite?: (trx: Tx) => Promise<void>,
    ): Promise<TokenResponse> {
      const now = clock.now();
      const id = uuidv7(now.getTime());
      const refreshToken = newRefreshToken();
      const t = tenant.settings.tokens;
      const row: SessionRow = {
        tenant_id: tenant.id,
        id,
        user_id: userId,
        amr,
        user_agent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip,
        created_at: now.toISOString(),
        last_used_at: now.toISOString(),
        idle_expires_at: later(now, t.refresh_idle_ttl_seconds),
        expires_at: later(now, t.refresh_absolute_ttl_seconds),
        revoked_at: null,
        revoked_reason: null,
        restriction,
      };
      await database.withTenant(tenant.id, async (trx) => {
        await alsoWrite?.(trx);
        await insertSession(trx, row);
        await insertRefreshToken(trx, tenant.id, id, refreshToken, now.toISOString());
        await appendEvent(
          trx,
          {
            type: 'user.logged_in',
            tenantId: tenant.id,
            payload: {
              tenant_id: tenant.id,
              user_id: userId,
              session_id: id,
              amr,
              ip: client.ip,
              user_agent: row.user_agent,
            },
          },
          now,
        );
      });
      return respond(tenant, userId, id, amr, refreshToken, restriction);
    },

    /**
     * RFC 6749 §6 with rotation: the presented token is spent and a new one issued. Presenting a spent
     * token again means it leaked: the whole session ends (OAuth 2.0 Security BCP §4.14.2).
     */
    async refresh(tenant: TenantRef, refreshToken: string, client: ClientInfo): Promise<TokenResponse> {
      const now = clock.now();
      const nowIso = now.toISOString();
      const invalid = () =>
        new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
      const next = newRefreshToken();
      const idleUntil = later(now, tenant.settings.tokens.refresh_idle_ttl_seconds);
      const rotation = { tenantId: tenant.id, token: refreshToken, next, now: nowIso, idleUntil };
      const session = await rotateRefreshToken(database, rotation);
      if (!session) {
        // Unknown, or spent before: a spent token presented again was stolen from one of its users.
        await database.withTenant(tenant.id, async (trx) => {
          const spent = await findRefreshToken(trx, tenant.id, refreshToken);
          if (!spent) return;
          await revoke(trx, tenant.id, spent.user_id, [spent.session_id], 'refresh_token_reuse', null, now);
          await appendEvent(
            trx,
            {
              type: 'token.reuse_detected',
              tenantId: tenant.id,
              payload: {
                tenant_id: tenant.id,
                user_id: spent.user_id,
                session_id: spent.session_id,
                ip: client.ip,
              },
            },
            now,
          );
        });
        throw invalid();
      }
      // Spent either way; a session or user that no longer allows it gets no next token.
      if (!refreshAllowed(session, nowIso)) throw invalid();
      return respond(
        tenant,
        session.user_id,
        session.session_id,
        fromJson<string[]>(session.amr),
        next,
        session.restriction as SessionRestriction | null,
      );
    },

    /** RFC 7009 for refresh tokens: the token's whole session ends. Unknown tokens are ignored. */
    async revokeByRefreshToken(
      tenantId: string,
      refreshToken: string,
      actorId: string | null,
    ): Promise<boolean> {
      const now = clock.now();
      const revoked = await database.withTenant(tenantId, async (trx) => {
        const found = await findRefreshToken(trx, tenantId, refreshToken);
        if (!found) return false;
        await revoke(trx, tenantId, found.user_id, [found.session_id], 'revoked', actorId, now);
        return true;
      });
      return revoked;
    },

    /** RFC 7662 for refresh tokens: live when unspent and its session is live. */
    async inspectRefreshToken(tenantId: string, refreshToken: string) {
      const nowIso = clock.now().toISOString();
      const found = await database.withTenant(tenantId, (trx) =>
        findRefreshToken(trx, tenantId, refreshToken),
      );
      if (
        !found ||
        found.used_at !== null ||
        found.revoked_at !== null ||
        found.expires_at <= nowIso ||
        found.idle_expires_at <= nowIso
      )
        return undefined;
      return {
        userId: found.user_id,
        sessionId: found.session_id,
        expiresAt: sessionEnd(found),
      };
    },

    list: (tenantId: string, userId: string) =>
      database.withTenant(tenantId, (trx) =>
        listLiveSessions(trx, tenantId, userId, clock.now().toISOString()),
      ),

    /** Ends sessions of one user (all live ones, or the ids given), except `keep`. Returns the ids ended. */
    async revokeSessions(
      tenantId: string,
      userId: string,
      options: { ids?: string[]; keep?: string; reason: string; actorId: string | null; trx?: Tx },
    ) {
      const now = clock.now();
      const run = async (trx: Tx) => {
        const live = await listLiveSessions(trx, tenantId, userId, now.toISOString());
        const targets = live
          .map((s) => s.id)
          .filter((id) => (options.ids ? options.ids.includes(id) : true) && id !== options.keep);
        return revoke(trx, tenantId, userId, targets, options.reason, options.actorId, now);
      };
      return options.trx ? run(options.trx) : database.withTenant(tenantId, run);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
