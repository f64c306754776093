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
  // One read per slug at a time: when an entry goes stale under load, the requests that find it so
  // share the read instead of each sending its own.
  const loading = new Map<string, Promise<Tenant | undefined>>();
  return {
    async bySlug(slug) {
      // Cache age is measured on the monotonic clock, whatever the wall clock (or a test) does.
      const now = performance.now();
      const hit = cache.get(slug);
      if (hit && now - hit.at < FRESH_MS) return hit.tenant;
      const pending = loading.get(slug);
      if (pending) return pending;
      const load = findTenantBySlug(deps.database.db, slug).then((tenant) => {
        // Forgotten meanwhile: this read may predate the change, so it is answered but not kept.
        if (loading.get(slug) === load) {
          if (cache.size >= MAX_ENTRIES) cache.clear();
          cache.set(slug, { tenant, at: now });
        }
        return tenant;
      });
      loading.set(slug, load);
      try {
        return await load;
      } finally {
        if (loading.get(slug) === load) loading.delete(slug);
      }
    },
    forget: (slug) => {
      cache.delete(slug);
      loading.delete(slug);
    },
  };
}
