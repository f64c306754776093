import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ClientService } from '../clients/index.ts';
import type { Clock } from '../clock.ts';
import { type Database, fromJson } from '../db/index.ts';
import { appendEvent, recordInvalidation } from '../events/index.ts';
import { OAuthError, type Principal } from '../http/index.ts';
import type { Authorizer } from '../policies/index.ts';
import { grants } from '../roles/index.ts';
import type { AccessTokens, RevocationSet, SessionService } from '../tokens/index.ts';
import type { UserDirectory } from '../users/index.ts';
import { authorize, verifyBearer } from './access-control.ts';
import { authenticateClient } from './client-authentication.ts';
import { oauthGround } from './oauth-plugin.ts';

const TokenParams = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 8192 }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 64 })),
    client_id: Type.Optional(Type.String({ maxLength: 256 })),
    client_secret: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: true },
);
const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.Optional(Type.String()) });
const Introspection = Type.Object(
  {
    active: Type.Boolean(),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    username: Type.Optional(Type.String()),
    token_type: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    nbf: Type.Optional(Type.Integer()),
    sub: Type.Optional(Type.String()),
    aud: Type.Optional(Type.String()),
    iss: Type.Optional(Type.String()),
    jti: Type.Optional(Type.String()),
    tid: Type.Optional(Type.String()),
    sid: Type.Optional(Type.String()),
    amr: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'RFC 7662 §2.2; `active: false` carries nothing else.' },
);

export interface TokenManagementDeps {
  database: Database;
  clock: Clock;
  tokens: AccessTokens;
  revocations: RevocationSet;
  sessions: SessionService;
  clients: ClientService;
  subjects: UserDirectory;
  authorizer: Authorizer;
}

const looksLikeJwt = (token: string) => token.split('.').length === 3;

/** `POST /t/{tenant}/oauth/revoke` (RFC 7009) and `POST /t/{tenant}/oauth/introspect` (RFC 7662). */
export const tokenManagementRoutes: FastifyPluginAsyncTypebox<{ deps: TokenManagementDeps }> = async (
  app,
  { deps },
) => {
  await oauthGround(app);
  const accessDeps = {
    tokens: deps.tokens,
    revocations: deps.revocations,
    subjects: deps.subjects,
    authorizer: deps.authorizer,
    clientPermissions: deps.clients.permissions,
  };
  const introspectQuestion = { permission: 'token:introspect', resource: 'token/*', context: {} };

  app.post(
    '/t/:tenant/oauth/revoke',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token (RFC 7009)',
        description:
          'Access or refresh token; a refresh token ends its session. Answers 200 for unknown or already invalid tokens. Client authentication is optional, but wrong credentials are refused.',
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenParams,
        response: { 200: Type.Null(), 400: OAuthErrorBody, 401: OAuthErrorBody },
      },
    },
    async (request, reply) => {
      const tenantId = request.tenant!.id;
      const client = await authenticateClient(request, deps.clients, false);
      const { token } = request.body;
      if (looksLikeJwt(token)) {
        const verified = await deps.tokens.verify(token);
        if (verified && verified.principal.tenantId === tenantId) {
          const now = deps.clock.now();
          const { principal } = verified;
          await deps.database.withTenant(tenantId, async (trx) => {
            await recordInvalidation(
              trx,
              {
                tenantId,
                kind: 'token',
                subject: principal.tokenId,
                notBefore: null,
                expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
              },
              now,
            );
            const payload = {
              tenant_id: tenantId,
              token_type: 'access_token',
              jti: principal.tokenId,
              session_id: principal.sessionId || null,
              client_id: client?.client_id ?? null,
            };
            await appendEvent(trx, { type: 'token.revoked', tenantId, payload }, now);
          });
        }
      } else {
        await deps.sessions.revokeByRefreshToken(tenantId, token, client?.client_id ?? null);
      }
      return reply.code(200).send(null);
    },
  );

  /** The caller must hold `token:introspect`: as an authenticated client, or with a bearer token. */
  async function caller(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const principal = await verifyBearer(header.slice(7), accessDeps);
      const outcome =
        principal && principal.tenantId === request.tenant!.id
          ? await authorize(principal, introspectQuestion, accessDeps)
          : 'denied';
      if (outcome !== 'allowed')
        throw new OAuthError('invalid_client', 'The caller may not introspect tokens.');
      return;
    }
    const client = await authenticateClient(request, deps.clients, true);
    if (!client || !grants(new Set(fromJson<string[]>(client.permissions)), 'token:introspect')) {
      throw new OAuthError('invalid_client', 'The caller may not introspect tokens.');
    }
  }

  async function describeAccessToken(token: string, tenantId: string) {
    const verified = await deps.tokens.verify(token);
    if (
      !verified ||
      verified.principal.tenantId !== tenantId ||
      deps.revocations.isRevoked(verified.principal)
    )
      return { active: false };
    const p: Principal = verified.principal;
    const held = p.kind === 'client' ? await deps.clients.permissions(tenantId, p.subject) : undefined;
    const subject = p.kind === 'user' ? await deps.subjects.state(tenantId, p.subject) : undefined;
    if (p.kind === 'client' ? !held : !subject?.active) return { active: false };
    const c = verified.claims;
    const base = {
      active: true,
      token_type: 'Bearer',
      exp: Number(c.exp),
      iat: Number(c.iat),
      sub: p.subject,
      aud: String(c.aud),
      iss: String(c.iss),
      jti: p.tokenId,
      tid: tenantId,
    };
    if (p.kind === 'client') return { ...base, client_id: p.subject, scope: [...(held ?? [])].join(' ') };
    return {
      ...base,
      sid: p.sessionId,
      amr: [...p.amr],
      ...(subject?.email ? { username: subject.email } : {}),
    };
  }

  app.post(
    '/t/:tenant/oauth/introspect',
    {
      config: { permission: 'public', rateLimit: 'introspect' },
      schema: {
        tags: ['tokens'],
        summary: 'Introspect a token (RFC 7662)',
        description:
          'The caller authenticates as a client holding `token:introspect` (or sends a bearer token with it). Expired, revoked, foreign, malformed tokens and tokens of inactive users are `active: false`.',
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenParams,
        response: { 200: Introspection, 400: OAuthErrorBody, 401: OAuthErrorBody },
      },
    },
    async (request) => {
      await caller(request);
      const tenantId = request.tenant!.id;
      const { token } = request.body;
      if (looksLikeJwt(token)) return describeAccessToken(token, tenantId);
      const refresh = await deps.sessions.inspectRefreshToken(tenantId, token);
      if (!refresh || !(await deps.subjects.state(tenantId, refresh.userId)).active) return { active: false };
      return {
        active: true,
        token_type: 'refresh_token',
        sub: refresh.userId,
        sid: refresh.sessionId,
        tid: tenantId,
        exp: Math.floor(Date.parse(refresh.expiresAt) / 1000),
      };
    },
  );
};
