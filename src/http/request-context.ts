// What the request pipeline learns about a request before its handler runs.

/** The tenant named by a `/t/{tenant}/…` path, resolved and known to be active. */
export interface RequestTenant {
  id: string;
  slug: string;
  displayName: string;
}

/** The authenticated caller, from a verified access token: a user (with a session) or a service client. */
/**
 * What a restricted session may still do: `mfa_enrollment` when the tenant requires a second factor
 * the user has not enrolled yet, `password_change` when the password has expired. Routes name the
 * restrictions they accept in `config.restricted`.
 */
export type SessionRestriction = 'mfa_enrollment' | 'password_change';

export interface Principal {
  kind: 'user' | 'client';
  tenantId: string;
  tenantSlug: string;
  /** User id, or the client's `client_id` (`sub`). */
  subject: string;
  /** The session (`sid`) of a user token; empty for client tokens. */
  sessionId: string;
  tokenId: string;
  /** Authentication methods (`amr`, RFC 8176). */
  amr: readonly string[];
  /** `iat` and `exp`, in seconds. */
  issuedAt: number;
  expiresAt: number;
  /** Set on tokens of a restricted session: only routes that accept it answer. */
  restriction?: SessionRestriction;
}

declare module 'fastify' {
  interface FastifyRequest {
    tenant: RequestTenant | null;
    auth: Principal | null;
  }
  interface FastifyContextConfig {
    /** The permission (`resource:action`) this route requires, or `public` for none. */
    permission?: string;
    /** Restricted sessions this route serves (all other routes refuse their tokens). */
    restricted?: readonly SessionRestriction[];
  }
}
