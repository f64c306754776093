import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError, type Principal } from '../http/index.ts';
import type { Authorizer } from '../policies/index.ts';
import { grants, isPermission, type Permission, PLATFORM_PERMISSIONS } from '../roles/index.ts';
import { PLATFORM_SLUG } from '../tenants/index.ts';
import type { AccessTokens, RevocationSet } from '../tokens/index.ts';
import type { UserDirectory } from '../users/index.ts';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

export function unauthenticated(error?: 'invalid_token'): AppError {
  // RFC 6750 §3: tell the client which scheme to use, and why its token was refused.
  const challenge = error ? `Bearer error="${error}"` : 'Bearer';
  return new AppError('IAM_ERR_UNAUTHENTICATED', 'A valid bearer access token is required.', {
    'www-authenticate': challenge,
  });
}

export interface AccessControlDeps {
  database: Database;
  tokens: AccessTokens;
  revocations: RevocationSet;
  subjects: UserDirectory;
  authorizer: Authorizer;
  /** Permissions granted to a service client, or undefined when it no longer exists or is disabled. */
  clientPermissions(tenantId: string, clientId: string): Promise<ReadonlySet<string> | undefined>;
}

/** A verified, unrevoked bearer token's principal, or null. Used by every protected route and by introspection. */
export async function verifyBearer(
  token: string,
  deps: Pick<AccessControlDeps, 'tokens' | 'revocations'>,
): Promise<Principal | null> {
  const verified = await deps.tokens.verify(token);
  if (!verified || deps.revocations.isRevoked(verified.principal)) return null;
  return verified.principal;
}

export interface Question {
  permission: string;
  /** `type/id` inside the tenant (policy-spec §7), e.g. `user/0192…`, or `type/*` for collections. */
  resource: string;
  /** Nested context (policy-spec §6); the authorizer adds the subject's roles and groups itself. */
  context: Record<string, unknown>;
}

/**
 * Whether a principal may do this now. Users are decided by the policy engine over their roles and
 * policies; service clients by the permissions granted to them. `inactive` means the principal may
 * no longer act at all (deactivated, deleted, disabled).
 */
export async function authorize(
  principal: Principal,
  question: Question,
  deps: Pick<AccessControlDeps, 'subjects' | 'authorizer' | 'clientPermissions'>,
) {
  if (principal.kind === 'client') {
    const held = await deps.clientPermissions(principal.tenantId, principal.subject);
    if (!held) return 'inactive' as const;
    return grants(held, question.permission) ? ('allowed' as const) : ('denied' as const);
  }
  const subject = await deps.subjects.state(principal.tenantId, principal.subject);
  if (!subject.active) return 'inactive' as const;
  const context = {
    ...question.context,
    subject: {
      ...(question.context.subject as object),
      ...(subject.email ? { email: subject.email } : {}),
      mfa: principal.amr.includes('otp') || principal.amr.includes('rc'),
    },
  };
  const allowed = await deps.authorizer.isAllowed(principal.tenantId, principal.subject, {
    action: question.permission,
    resource: question.resource,
    context,
  });
  return allowed ? ('allowed' as const) : ('denied' as const);
}

async function authenticate(request: FastifyRequest, deps: AccessControlDeps): Promise<Principal> {
  const header = request.headers.authorization;
  if (!header) throw unauthenticated();
  const token = BEARER.exec(header)?.[1];
  const principal = token ? await verifyBearer(token, deps) : null;
  if (!principal) throw unauthenticated('invalid_token');
  return principal;
}

/** The question a route asks: its permission, on the resource its path names. */
function questionOf(request: FastifyRequest, permission: string, auth: Principal): Question {
  const params = request.params as Record<string, string | undefined>;
  const type = permission.slice(0, permission.indexOf(':'));
  const id = type === 'tenant' ? params.tenant : params.id;
  const self = type === 'self';
  return {
    permission,
    resource: self ? `user/${auth.subject}` : `${type}/${id ?? '*'}`,
    context: {
      request: { ip: request.ip, time: new Date().toISOString() },
      resource: {
        tenant: request.tenant?.id ?? auth.tenantId,
        ...(self ? { owner: auth.subject } : type === 'user' && id ? { owner: id } : {}),
      },
    },
  };
}

/**
 * Every route states its permission in `config.permission`; this hook authenticates the caller and
 * decides before validation or the handler run, so an unauthenticated caller learns nothing.
 */
export function registerAccessControl(app: FastifyInstance, deps: AccessControlDeps): void {
  app.decorateRequest('auth', null);
  // Fail closed at start-up: a route registered from here on without a catalogued permission (or an
  // explicit `public`) stops the service from starting, rather than serving unprotected.
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (permission === 'public' || (permission !== undefined && isPermission(permission))) return;
    throw new Error(
      `${String(route.method)} ${route.url} must declare config.permission from the catalogue (got ${String(permission)})`,
    );
  });
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config.permission;
    if (permission === undefined || permission === 'public') return;
    const auth = await authenticate(request, deps);
    if (auth.restriction && !request.routeOptions.config.restricted?.includes(auth.restriction)) {
      throw auth.restriction === 'mfa_enrollment'
        ? new AppError(
            'IAM_ERR_MFA_ENROLLMENT_REQUIRED',
            'This tenant requires a second factor: enrol an authenticator before doing anything else.',
          )
        : new AppError(
            'IAM_ERR_PASSWORD_CHANGE_REQUIRED',
            'The password has expired: change it (POST /me/password) before doing anything else.',
          );
    }
    const platformOnly = (PLATFORM_PERMISSIONS as readonly string[]).includes(permission as Permission);
    const crossTenant = request.tenant !== null && request.tenant.id !== auth.tenantId;
    // A token is worthless outside the tenant that issued it, except a platform operator's, which may
    // act in any tenant (never as that tenant's user: not on self-service routes).
    const operator =
      crossTenant &&
      auth.kind === 'user' &&
      auth.tenantSlug === PLATFORM_SLUG &&
      !permission.startsWith('self:');
    if (crossTenant && !operator) throw unauthenticated('invalid_token');
    const outcome = await authorize(auth, questionOf(request, permission, auth), deps);
    if (outcome === 'inactive') throw unauthenticated('invalid_token');
    if (outcome === 'denied' || (platformOnly && auth.tenantSlug !== PLATFORM_SLUG)) {
      throw new AppError('IAM_ERR_FORBIDDEN', `This operation requires the permission ${permission}.`);
    }
    if (operator && request.tenant) {
      const tenantId = request.tenant.id;
      const payload = {
        tenant_id: tenantId,
        operator_id: auth.subject,
        method: request.method,
        route: request.routeOptions.url ?? '',
        permission,
      };
      await deps.database.withTenant(tenantId, (trx) =>
        appendEvent(trx, { type: 'operator.acted', tenantId, payload }),
      );
    }
    request.auth = auth;
  });
}

/**
 * Privilege escalation guard: a caller may hand out only permissions they hold themselves in this
 * tenant (platform operators acting in a tenant hold them all).
 */
export async function assertHoldsAll(
  principal: Principal,
  tenantId: string,
  permissions: readonly string[],
  deps: Pick<AccessControlDeps, 'subjects' | 'authorizer' | 'clientPermissions'>,
): Promise<void> {
  if (principal.tenantId !== tenantId && principal.tenantSlug === PLATFORM_SLUG) return;
  for (const permission of permissions) {
    const question = {
      permission,
      resource: `${permission.slice(0, permission.indexOf(':'))}/*`,
      context: {},
    };
    if ((await authorize(principal, question, deps)) !== 'allowed') {
      throw new AppError(
        'IAM_ERR_FORBIDDEN',
        `This gives ${permission} away, which the caller does not hold.`,
      );
    }
  }
}
