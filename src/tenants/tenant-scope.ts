import type { FastifyInstance } from 'fastify';
import { AppError } from '../http/index.ts';
import { isValidSlug } from './slug.ts';
import type { TenantDirectory } from './tenant-directory.ts';
import type { TenantSettings } from './tenant-settings.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The effective settings of `request.tenant`. */
    tenantSettings: TenantSettings;
  }
}

export const TENANT_PREFIX = '/t/:tenant';

/**
 * Resolves `/t/{tenant}/…` before anything else runs: an unknown or malformed slug is 404 and a
 * suspended tenant 403, so no tenant route ever runs without an active tenant.
 */
export function registerTenantScope(app: FastifyInstance, directory: TenantDirectory): void {
  app.decorateRequest('tenant', null);
  app.decorateRequest('tenantSettings', null as unknown as TenantSettings);
  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.url?.startsWith(TENANT_PREFIX)) return;
    const slug = (request.params as { tenant?: string }).tenant ?? '';
    const tenant = isValidSlug(slug) ? await directory.bySlug(slug) : undefined;
    if (!tenant) throw new AppError('IAM_ERR_TENANT_NOT_FOUND', 'No such tenant.');
    if (tenant.status !== 'active')
      throw new AppError('IAM_ERR_TENANT_SUSPENDED', 'The tenant is suspended.');
    request.tenant = { id: tenant.id, slug: tenant.slug, displayName: tenant.displayName };
    request.tenantSettings = tenant.settings;
  });
}
