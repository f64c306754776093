import { randomUUID } from 'node:crypto';
import {
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Clock } from '../clock.ts';
import type { Principal, SessionRestriction } from '../http/index.ts';
import type { Tenant, TenantDirectory, TenantSettings } from '../tenants/index.ts';
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

// RFC 9068 §2.1: access tokens carry `typ: at+jwt`, so an ID token or other JWT is never taken for one.
const TYP = 'at+jwt';
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
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: TYP })
        .sign(key.privateKey);
      return { token, expiresIn: ttlSeconds, jti, claims };
    },

    async verify(token) {
      const hit = verified.get(token);
      if (hit) {
        // Still re-checked on every use: expiry against the clock and the tenant's status.
        const tenant = await tenants.bySlug(hit.principal.tenantSlug);
        if (hit.principal.expiresAt + 5 > clock.now().getTime() / 1000 && tenant?.status === 'active')
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
    try {
      // The unverified issuer only chooses which tenant's keys to try; the signature decides.
      const header = decodeProtectedHeader(token);
      const unverified = decodeJwt(token);
      const slug =
        typeof unverified.iss === 'string' && unverified.iss.startsWith(baseUrl)
          ? ISSUER_PATH.exec(unverified.iss)?.[1]
          : undefined;
      if (!slug || typeof header.kid !== 'string') return null;
      const tenant = await tenants.bySlug(slug);
      if (tenant?.status !== 'active') return null;
      const key = await keys.verificationKey(tenant.id, header.kid);
      if (!key) return null;
      const { payload } = await jwtVerify(token, key.key, {
        algorithms: [key.alg],
        issuer: issuer(slug),
        audience: issuer(slug),
        typ: TYP,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        currentDate: clock.now(),
        clockTolerance: 5,
      });
      if (payload.tid !== tenant.id || typeof payload.sub !== 'string') return null;
      // RFC 7519 §4.1.6: a token issued in the future was not issued by this service's clock; it
      // would also outlive a per-user revocation cut-off, which compares `iat`.
      if (Number(payload.iat) > clock.now().getTime() / 1000 + 5) return null;
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
    } catch (error) {
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError || error instanceof SyntaxError)
        return null;
      throw error;
    }
  }
}
