import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Clock } from '../clock.ts';
import type { Principal, SessionRestriction } from '../http/index.ts';
import type { Tenant, TenantDirectory, TenantSettings } from '../tenants/index.ts';
import { decodeJws, signJws, verifyJws } from './jws.ts';
import type { SigningKeyStore } from './signing-keys.ts';

export interface IssueRequest {
  tenant: Pick<Tenant, 'id' | 'slug'> & { settings: TenantSettings };
  /** A user (with the session the token belongs to) or a service client. */
  subject:
    | {
        kind: 'user';
        userId: string;
        sessionId: string;
        amr: string[];
        restriction?: SessionRestriction | null;
      }
    | { kind: 'client'; clientId: string };
  ttlSeconds: number;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  jti: string;
  /** Decoded claims, for introspection-style answers without re-parsing. */
  claims: JWTPayload;
}

export interface AccessTokens {
  issuer(slug: string): string;
  issue(request: IssueRequest): Promise<IssuedToken>;
  /** The caller behind a token whose signature and claims are valid right now (revocation is checked apart). */
  verify(token: string): Promise<{ principal: Principal; claims: JWTPayload } | null>;
}

// RFC 9068 §2.1: access tokens carry `typ: at+jwt`, so an ID token or other JWT is never taken for one;
// §4 lets verifiers accept it with its media type prefix (RFC 7515 §4.1.9), in any case.
const TYP = 'at+jwt';
const isAccessTokenType = (typ: unknown) =>
  typeof typ === 'string' && [TYP, `application/${TYP}`].includes(typ.toLowerCase());
// Seconds of clock difference tolerated on `exp`, `nbf` and `iat` (RFC 7519 §4.1.4 allows "some small leeway").
const LEEWAY_SECONDS = 5;
const ISSUER_PATH = /\/t\/([a-z0-9-]{3,63})$/;
// Clients reuse their tokens, and a signature check costs far more than the request around it: a
// bounded map of tokens already verified (keyed by the whole token, signature included) skips it.
// Revocation is not cached here; callers check it on every request.
const VERIFIED_CACHE_SIZE = 10_000;

export function createAccessTokens(deps: {
  baseUrl: string;
  keys: SigningKeyStore;
  tenants: TenantDirectory;
  clock: Clock;
}): AccessTokens {
  const { baseUrl, keys, tenants, clock } = deps;
  const issuer = (slug: string) => `${baseUrl}/t/${slug}`;
  const verified = new Map<string, { principal: Principal; claims: JWTPayload }>();

  return {
    issuer,

    async issue({ tenant, subject, ttlSeconds }) {
      const key = await keys.signingKey(tenant.id, tenant.settings.tokens);
      const iat = Math.floor(clock.now().getTime() / 1000);
      const jti = randomUUID();
      // RFC 9068 §2.2: `client_id` on every token; user tokens add the session and how the user authenticated.
      const extra =
        subject.kind === 'user'
          ? {
              tid: tenant.id,
              sid: subject.sessionId,
              amr: subject.amr,
              ...(subject.restriction ? { restriction: subject.restriction } : {}),
            }
          : { tid: tenant.id, client_id: subject.clientId };
      const claims: JWTPayload = {
        ...extra,
        iss: issuer(tenant.slug),
        sub: subject.kind === 'user' ? subject.userId : subject.clientId,
        aud: issuer(tenant.slug),
        iat,
        exp: iat + ttlSeconds,
        jti,
      };
      const token = signJws({ alg: key.alg, kid: key.kid, typ: TYP }, claims, key.privateKey);
      return { token, expiresIn: ttlSeconds, jti, claims };
    },

    async verify(token) {
      const hit = verified.get(token);
      if (hit) {
        // Still re-checked on every use: expiry against the clock and the tenant's status.
        const tenant = await tenants.bySlug(hit.principal.tenantSlug);
        if (
          hit.principal.expiresAt + LEEWAY_SECONDS > clock.now().getTime() / 1000 &&
          tenant?.status === 'active'
        )
          return hit;
        verified.delete(token);
        return null;
      }
      const result = await verifySignature(token);
      if (result) {
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
        verified.set(token, result);
      }
      return result;
    },
  };

  async function verifySignature(
    token: string,
  ): Promise<{ principal: Principal; claims: JWTPayload } | null> {
    // The issuer and key id, unverified, only choose which tenant's key to try; the signature decides.
    const unverified = decodeJws(token);
    if (!unverified) return null;
    const iss = unverified.payload.iss;
    const slug = typeof iss === 'string' && iss.startsWith(baseUrl) ? ISSUER_PATH.exec(iss)?.[1] : undefined;
    const kid = unverified.header.kid;
    if (!slug || typeof kid !== 'string') return null;
    const tenant = await tenants.bySlug(slug);
    if (tenant?.status !== 'active') return null;
    const key = await keys.verificationKey(tenant.id, kid);
    if (!key) return null;
    if (!verifyJws(unverified, key.alg, key.key) || !isAccessTokenType(unverified.header.typ)) return null;
    const payload = unverified.payload as JWTPayload;
    const now = clock.now().getTime() / 1000;
    // RFC 7519 §7.2: every claim this service relies on, with its type; then §4.1.1–4.1.7.
    if (
      payload.iss !== issuer(slug) ||
      !(Array.isArray(payload.aud) ? payload.aud.includes(issuer(slug)) : payload.aud === issuer(slug)) ||
      typeof payload.sub !== 'string' ||
      typeof payload.jti !== 'string' ||
      typeof payload.exp !== 'number' ||
      typeof payload.iat !== 'number' ||
      (payload.nbf !== undefined && typeof payload.nbf !== 'number') ||
      payload.tid !== tenant.id ||
      payload.exp <= now - LEEWAY_SECONDS ||
      (payload.nbf !== undefined && payload.nbf > now + LEEWAY_SECONDS) ||
      // §4.1.6: a token issued in the future was not issued by this service's clock; it would also
      // outlive a per-user revocation cut-off, which compares `iat`.
      payload.iat > now + LEEWAY_SECONDS
    )
      return null;
    const isClient = typeof payload.client_id === 'string' && payload.sid === undefined;
    if (!isClient && typeof payload.sid !== 'string') return null;
    const amr = Array.isArray(payload.amr)
      ? payload.amr.filter((m): m is string => typeof m === 'string')
      : [];
    const principal: Principal = {
      kind: isClient ? 'client' : 'user',
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      subject: payload.sub,
      sessionId: isClient ? '' : String(payload.sid),
      tokenId: String(payload.jti),
      amr,
      issuedAt: Number(payload.iat),
      expiresAt: Number(payload.exp),
      ...(payload.restriction === 'mfa_enrollment' || payload.restriction === 'password_change'
        ? { restriction: payload.restriction }
        : {}),
    };
    // An unknown restriction fails closed: the token is refused rather than treated as unrestricted.
    if (payload.restriction !== undefined && principal.restriction === undefined) return null;
    return { principal, claims: payload };
  }
}
