import { type Database, isUuid } from '../db/index.ts';
import type { InvalidationFeed } from '../events/index.ts';
import { findUserById, USER_CHANGE_NOTICE_SECONDS, type UserRow } from './user-repository.ts';
import { userNotFound } from './user-service.ts';

/** A live user as the request path sees it: the row without its password hash. */
export type DirectoryUser = Omit<UserRow, 'password_hash'>;

export interface SubjectState {
  active: boolean;
  email: string | null;
}

export interface UserDirectory {
  /** Whether the user exists and may act, and their address. */
  state(tenantId: string, userId: string): Promise<SubjectState>;
  /** The live (not deleted) user, or undefined. */
  user(tenantId: string, userId: string): Promise<DirectoryUser | undefined>;
  /** The live user, or IAM_ERR_USER_NOT_FOUND: the caller's own account on the self-service routes. */
  get(tenantId: string, userId: string): Promise<DirectoryUser>;
}

export interface UserDirectoryDeps {
  database: Database;
  feed: Pick<InvalidationFeed, 'subscribe'>;
  /** Longest time a cached user is served without a reload; a backstop behind the change notices. */
  maxAgeMs?: number;
}

// The backstop must be shorter than a change notice lives: a process that missed a notice (its
// database was away while the notice expired) reloads the row before serving it past the notice.
const DEFAULT_MAX_AGE_MS = Math.min(60_000, (USER_CHANGE_NOTICE_SECONDS * 1000) / 2);
// A user that does not exist (yet) is asked again soon: ids of new users are never cached as absent for long.
const ABSENT_MAX_AGE_MS = 1000;
// About 1 KB per user: bounds the memory to a few megabytes per process.
const MAX_ENTRIES = 20_000;
const GONE: SubjectState = { active: false, email: null };

interface Entry {
  user: DirectoryUser | undefined;
  at: number;
}

/**
 * Users in memory for the request path (access control, introspection, GET /me), so a token check
 * or a profile read costs no query. Every write to a user records a change notice in the same
 * transaction (src/users/user-repository.ts); the invalidation feed brings it to every process,
 * which drops its copy.
 */
export function createUserDirectory(deps: UserDirectoryDeps): UserDirectory {
  const maxAgeMs = deps.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const cache = new Map<string, Entry>();
  const loading = new Map<string, Promise<DirectoryUser | undefined>>();

  deps.feed.subscribe((invalidation) => {
    if (invalidation.kind === 'user') {
      const key = `${invalidation.tenantId}/${invalidation.subject}`;
      cache.delete(key);
      // A load already under way read the row before this change: it must not be cached.
      loading.delete(key);
    } else if (invalidation.kind === 'tenant') {
      const prefix = `${invalidation.tenantId}/`;
      for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
      for (const key of loading.keys()) if (key.startsWith(prefix)) loading.delete(key);
    }
  });

  function remember(key: string, user: DirectoryUser | undefined): void {
    // Map order is insertion order, and entries are re-inserted when reloaded: the first are the oldest.
    if (cache.size >= MAX_ENTRIES) {
      let drop = MAX_ENTRIES / 10;
      for (const old of cache.keys()) {
        cache.delete(old);
        if (--drop === 0) break;
      }
    }
    cache.set(key, { user, at: performance.now() });
  }

  function load(tenantId: string, userId: string, key: string): Promise<DirectoryUser | undefined> {
    const pending = loading.get(key);
    if (pending) return pending;
    const started = deps.database.withTenant(tenantId, async (trx) => {
      const row = await findUserById(trx, tenantId, userId);
      if (!row) return undefined;
      const { password_hash: _, ...user } = row;
      return user;
    });
    loading.set(key, started);
    const settle = (user: DirectoryUser | undefined) => {
      if (loading.get(key) !== started) return;
      loading.delete(key);
      remember(key, user);
    };
    started.then(settle, () => {
      if (loading.get(key) === started) loading.delete(key);
    });
    return started;
  }

  async function user(tenantId: string, userId: string): Promise<DirectoryUser | undefined> {
    // A malformed id names no user (and never reaches PostgreSQL's uuid cast).
    if (!isUuid(userId)) return undefined;
    const key = `${tenantId}/${userId}`;
    const hit = cache.get(key);
    // Age on the monotonic clock, whatever the wall clock (or a test) does.
    if (hit && performance.now() - hit.at < (hit.user ? maxAgeMs : ABSENT_MAX_AGE_MS)) return hit.user;
    return load(tenantId, userId, key);
  }

  return {
    user,
    async get(tenantId, userId) {
      const found = await user(tenantId, userId);
      if (!found) throw userNotFound();
      return found;
    },
    async state(tenantId, userId) {
      const found = await user(tenantId, userId);
      return found ? { active: found.status === 'active', email: found.email } : GONE;
    },
  };
}
