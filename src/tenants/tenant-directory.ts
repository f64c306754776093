import type { Database } from '../db/index.ts';
import { findTenantBySlug, type Tenant } from './tenant-repository.ts';

export interface TenantDirectory {
  /** The tenant with this slug (active or suspended), or undefined; answers from memory when fresh. */
  bySlug(slug: string): Promise<Tenant | undefined>;
  /** Forgets a tenant after a local change, so this process sees it at once. */
  forget(slug: string): void;
}

// Every process re-reads a tenant at least this often, so a suspension or a settings change made
// elsewhere applies within a second.
const FRESH_MS = 500;
const MAX_ENTRIES = 10_000;

export function createTenantDirectory(deps: { database: Database }): TenantDirectory {
  const cache = new Map<string, { tenant: Tenant | undefined; at: number }>();
  return {
    async bySlug(slug) {
      // Cache age is measured on the monotonic clock, whatever the wall clock (or a test) does.
      const now = performance.now();
      const hit = cache.get(slug);
      if (hit && now - hit.at < FRESH_MS) return hit.tenant;
      const tenant = await findTenantBySlug(deps.database.db, slug);
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(slug, { tenant, at: now });
      return tenant;
    },
    forget: (slug) => {
      cache.delete(slug);
    },
  };
}
