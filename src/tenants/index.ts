export { type BootstrapResult, bootstrapPlatform } from './bootstrap.ts';
export { isValidSlug, PLATFORM_SLUG, RESERVED_SLUGS } from './slug.ts';
export { createTenantDirectory, type TenantDirectory } from './tenant-directory.ts';
export type { Tenant } from './tenant-repository.ts';
export { tenantRoutes, tenantView } from './tenant-routes.ts';
export { registerTenantScope, TENANT_PREFIX } from './tenant-scope.ts';
export { createTenantService, type TenantService } from './tenant-service.ts';
export { resolveSettings, type TenantSettings, TenantSettingsSchema } from './tenant-settings.ts';
