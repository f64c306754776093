import type { Clock } from '../clock.ts';
import { type Database, type Tx, uuidv7 } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError, type CursorKey } from '../http/index.ts';
import { createSystemRoles } from '../roles/index.ts';
import { PLATFORM_SLUG, RESERVED_SLUGS } from './slug.ts';
import {
  findTenantBySlug,
  insertTenant,
  listTenants,
  type Tenant,
  updateTenant,
} from './tenant-repository.ts';
import type { CreateTenantBody, UpdateTenantBody } from './tenant-schemas.ts';
import { resolveSettings } from './tenant-settings.ts';

export interface TenantService {
  /** `allowReserved` is for the service's own tenants (the platform tenant at first start). */
  create(
    input: CreateTenantBody,
    actorId: string | null,
    options?: {
      allowReserved?: boolean;
      /** More work inside the creating transaction (the first administrator's invitation). */
      within?: (trx: Tx, tenant: Tenant) => Promise<void>;
    },
  ): Promise<Tenant>;
  get(slug: string): Promise<Tenant>;
  list(options: { limit: number; after?: CursorKey; status?: 'active' | 'suspended' }): Promise<Tenant[]>;
  update(slug: string, changes: UpdateTenantBody, actorId: string): Promise<Tenant>;
  remove(slug: string, actorId: string): Promise<void>;
}

export function createTenantService(deps: { database: Database; clock: Clock }): TenantService {
  const { database, clock } = deps;

  async function get(slug: string): Promise<Tenant> {
    const tenant = await findTenantBySlug(database.db, slug);
    if (!tenant) throw new AppError('IAM_ERR_TENANT_NOT_FOUND', `No tenant "${slug}".`);
    return tenant;
  }

  function refuseProtected(tenant: Tenant): void {
    if (tenant.slug === PLATFORM_SLUG)
      throw new AppError('IAM_ERR_TENANT_PROTECTED', 'The platform tenant cannot be changed this way.');
  }

  return {
    async create(input, actorId, options = {}) {
      if (RESERVED_SLUGS.has(input.slug) && !options.allowReserved) {
        throw new AppError('IAM_ERR_TENANT_SLUG_RESERVED', `The slug "${input.slug}" is reserved.`);
      }
      const now = clock.now();
      const tenant: Tenant = {
        id: uuidv7(now.getTime()),
        slug: input.slug,
        displayName: input.display_name.trim(),
        status: 'active',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        deletedAt: null,
        settings: resolveSettings({}),
      };
      // Scoped to the new tenant, so its system roles pass the row-level security check.
      await database.withTenant(tenant.id, async (trx) => {
        await insertTenant(trx, tenant);
        await createSystemRoles(trx, tenant.id, now);
        await appendEvent(
          trx,
          {
            type: 'tenant.created',
            tenantId: tenant.id,
            payload: {
              tenant_id: tenant.id,
              slug: tenant.slug,
              display_name: tenant.displayName,
              actor_id: actorId,
            },
          },
          now,
        );
        await options.within?.(trx, tenant);
      });
      return tenant;
    },

    get,

    list: (options) => listTenants(database.db, options),

    async update(slug, changes, actorId) {
      const tenant = await get(slug);
      if (changes.status !== undefined) refuseProtected(tenant);
      const now = clock.now();
      const next: Tenant = {
        ...tenant,
        displayName: changes.display_name?.trim() ?? tenant.displayName,
        status: changes.status ?? tenant.status,
        updatedAt: now.toISOString(),
      };
      await database.transaction(async (trx) => {
        await updateTenant(
          trx,
          tenant.id,
          { displayName: next.displayName, status: next.status },
          next.updatedAt,
        );
        const payload = { tenant_id: tenant.id, slug: tenant.slug, actor_id: actorId };
        if (next.displayName !== tenant.displayName) {
          await appendEvent(
            trx,
            {
              type: 'tenant.updated',
              tenantId: tenant.id,
              payload: { ...payload, display_name: next.displayName },
            },
            now,
          );
        }
        if (next.status !== tenant.status) {
          const type = next.status === 'suspended' ? 'tenant.suspended' : 'tenant.reactivated';
          await appendEvent(trx, { type, tenantId: tenant.id, payload }, now);
        }
      });
      return next;
    },

    async remove(slug, actorId) {
      const tenant = await get(slug);
      refuseProtected(tenant);
      const now = clock.now();
      await database.transaction(async (trx) => {
        await updateTenant(
          trx,
          tenant.id,
          { status: 'deleted', deletedAt: now.toISOString() },
          now.toISOString(),
        );
        await appendEvent(
          trx,
          {
            type: 'tenant.deleted',
            tenantId: tenant.id,
            payload: { tenant_id: tenant.id, slug: tenant.slug, actor_id: actorId },
          },
          now,
        );
      });
    },
  };
}
