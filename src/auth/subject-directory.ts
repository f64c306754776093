import type { Database } from '../db/index.ts';

export interface SubjectState {
  active: boolean;
  email: string | null;
}

export interface SubjectDirectory {
  /** Whether the user exists and may act, and their address; answers from memory when fresh. */
  state(tenantId: string, userId: string): Promise<SubjectState>;
}

// A deactivation elsewhere is seen by every process within this time even without the feed (its
// tokens are refused at once through the revocation set anyway).
const FRESH_MS = 1000;
const MAX_ENTRIES = 100_000;
const GONE: SubjectState = { active: false, email: null };

export function createSubjectDirectory(deps: { database: Database }): SubjectDirectory {
  const cache = new Map<string, { state: SubjectState; at: number }>();

  const load = (tenantId: string, userId: string) =>
    deps.database.withTenant(tenantId, async (trx) => {
      const user = await trx
        .selectFrom('users')
        .select(['status', 'email'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', userId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return user ? { active: user.status === 'active', email: user.email } : GONE;
    });

  return {
    async state(tenantId, userId) {
      const key = `${tenantId}/${userId}`;
      // Cache age is measured on the monotonic clock, whatever the wall clock (or a test) does.
      const now = performance.now();
      const hit = cache.get(key);
      if (hit && now - hit.at < FRESH_MS) return hit.state;
      const state = await load(tenantId, userId);
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(key, { state, at: now });
      return state;
    },
  };
}
