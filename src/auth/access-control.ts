import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { isPermission, type Permission, PLATFORM_PERMISSIONS } from '../roles/index.ts';
import { PLATFORM_SLUG } from '../tenants/index.ts';
import type { AccessTokens } from '../tokens/index.ts';
import { grants, type SubjectDirectory } from './subject-directory.ts';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

function unauthenticated(error?: 'invalid_token'): AppError {
  // RFC 6750 §3: tell the client which scheme to use, and why its token was refused.
  const challenge = error ? `Bearer error="${error}"` : 'Bearer';
  return new AppError('IAM_ERR_UNAUTHENTICATED', 'A valid bearer access token is required.', {
    'www-authenticate': challenge,
  });
}

async function authenticate(request: FastifyRequest, tokens: AccessTokens): Promise<void> {
  const header = request.headers.authorization;
  if (!header) throw unauthenticated();
  const token = BEARER.exec(header)?.[1];
  const principal = token ? await tokens.verify(token) : null;
  if (!principal) throw unauthenticated('invalid_token');
  request.auth = principal;
}

/**
 * Every route states its permission in `config.permission`; this hook authenticates the caller and
 * checks it before validation or the handler run, so an unauthenticated caller learns nothing.
 */
export function registerAccessControl(
  app: FastifyInstance,
  deps: { tokens: AccessTokens; subjects: SubjectDirectory },
): void {
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
    await authenticate(request, deps.tokens);
    const auth = request.auth;
    if (!auth) throw unauthenticated();
    // A tenant route acts inside its own tenant only.
    // A token is worthless outside the tenant that issued it.
    if (request.tenant && request.tenant.id !== auth.tenantId) throw unauthenticated('invalid_token');
    const subject = await deps.subjects.state(auth.tenantId, auth.subject);
    if (!subject.active) throw unauthenticated('invalid_token');
    const platformOnly = (PLATFORM_PERMISSIONS as readonly string[]).includes(permission as Permission);
    if ((platformOnly && auth.tenantSlug !== PLATFORM_SLUG) || !grants(subject.permissions, permission)) {
      throw new AppError('IAM_ERR_FORBIDDEN', `This operation requires the permission ${permission}.`);
    }
  });
}
