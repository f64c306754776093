import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../clock.ts';
import type { Principal } from '../http/index.ts';
import type { Tenant, TenantDirectory } from '../tenants/index.ts';
import type { SigningKeyStore } from './signing-keys.ts';

export interface IssueRequest {
  tenant: Pick<Tenant, 'id' | 'slug'>;
  userId: string;
  sessionId: string;
  amr: string[];
  ttlSeconds: number;
}

export interface AccessTokens {
  issuer(slug: string): string;
  issue(request: IssueRequest): Promise<{ token: string; expiresIn: number; jti: string }>;
  /** The caller behind a token, or null for any token that is not valid right now. */
  verify(token: string): Promise<Principal | null>;
}

// RFC 9068 §2.1: access tokens carry `typ: at+jwt`, so an ID token or other JWT is never taken for one.
const TYP = 'at+jwt';
const ISSUER_PATH = /\/t\/([a-z0-9-]{3,63})$/;

export function createAccessTokens(deps: {
  baseUrl: string;
  keys: SigningKeyStore;
  tenants: TenantDirectory;
  clock: Clock;
}): AccessTokens {
  const { baseUrl, keys, tenants, clock } = deps;
  const issuer = (slug: string) => `${baseUrl}/t/${slug}`;

  return {
    issuer,

    async issue({ tenant, userId, sessionId, amr, ttlSeconds }) {
      const key = await keys.signingKey(tenant.id);
      const iat = Math.floor(clock.now().getTime() / 1000);
      const jti = randomUUID();
      const token = await new SignJWT({ tid: tenant.id, sid: sessionId, amr })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: TYP })
        .setIssuer(issuer(tenant.slug))
        .setSubject(userId)
        .setAudience(issuer(tenant.slug))
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .setJti(jti)
        .sign(key.privateKey);
      return { token, expiresIn: ttlSeconds, jti };
    },

    async verify(token) {
      try {
        // The unverified issuer only chooses which tenant's keys to try; the signature decides.
        const header = decodeProtectedHeader(token);
        const claims = decodeJwt(token);
        const slug =
          typeof claims.iss === 'string' && claims.iss.startsWith(baseUrl)
            ? ISSUER_PATH.exec(claims.iss)?.[1]
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
          requiredClaims: ['sub', 'exp', 'iat', 'jti', 'sid'],
          currentDate: clock.now(),
          clockTolerance: 5,
        });
        if (payload.tid !== tenant.id || typeof payload.sid !== 'string' || typeof payload.sub !== 'string')
          return null;
        const amr = Array.isArray(payload.amr)
          ? payload.amr.filter((m): m is string => typeof m === 'string')
          : [];
        return {
          kind: 'user',
          tenantId: tenant.id,
          tenantSlug: tenant.slug,
          subject: payload.sub,
          sessionId: payload.sid,
          tokenId: String(payload.jti),
          amr,
          expiresAt: Number(payload.exp),
        };
      } catch (error) {
        if (
          error instanceof joseErrors.JOSEError ||
          error instanceof TypeError ||
          error instanceof SyntaxError
        )
          return null;
        throw error;
      }
    },
  };
}
