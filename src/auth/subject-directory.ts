import { type Database, fromJson } from '../db/index.ts';
import { SYSTEM_ROLES, type SystemRoleName } from '../roles/index.ts';

export interface SubjectState {
  active: boolean;
  roles: string[];
  permissions: ReadonlySet<string>;
}

export interface SubjectDirectory {
  /** Whether the user may act, and what they may do; answers from memory when fresh. */
  state(tenantId: string, userId: string): Promise<SubjectState>;
}

// A deactivation or role change elsewhere is seen by every process within this time.
const FRESH_MS = 1000;
const MAX_ENTRIES = 100_000;
const GONE: SubjectState = { active: false, roles: [], permissions: new Set() };

export function createSubjectDirectory(deps: { database: Database }): SubjectDirectory {
  const cache = new Map<string, { state: SubjectState; at: number }>();

  async function load(tenantId: string, userId: string): Promise<SubjectState> {
    return deps.database.withTenant(tenantId, async (trx) => {
      const user = await trx
        .selectFrom('users')
        .select(['status'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', userId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!user) return GONE;
      const roles = await trx
        .selectFrom('user_roles')
        .innerJoin('roles', (j) =>
          j
            .onRef('roles.tenant_id', '=', 'user_roles.tenant_id')
            .onRef('roles.id', '=', 'user_roles.role_id'),
        )
        .select(['roles.name', 'roles.permissions', 'roles.system'])
        .where('user_roles.tenant_id', '=', tenantId)
        .where('user_roles.user_id', '=', userId)
        .execute();
      const permissions = new Set<string>();
      for (const role of roles) {
        // System roles take their permissions from code, so new releases extend them everywhere.
        const granted = role.system
          ? (SYSTEM_ROLES[role.name as SystemRoleName]?.permissions ?? [])
          : fromJson<string[]>(role.permissions);
        for (const p of granted) permissions.add(p);
      }
      return { active: user.status === 'active', roles: roles.map((r) => r.name), permissions };
    });
  }

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

/** True when a granted permission (possibly `resource:*` or `*`) covers the required one. */
export function grants(permissions: ReadonlySet<string>, required: string): boolean {
  if (permissions.has(required) || permissions.has('*')) return true;
  const resource = required.slice(0, required.indexOf(':'));
  return permissions.has(`${resource}:*`);
}
