import type { Database } from '../db/index.ts';
import { canonicalId } from '../db/index.ts';
import type { Invalidation, InvalidationFeed } from '../events/index.ts';
import { EVERYONE, type Role } from '../roles/index.ts';
import type { AttachedPolicy } from './attachment-repository.ts';
import { buildContext } from './authz-context.ts';
import {
  type CompiledPolicy,
  type CompiledPolicySet,
  type Context,
  combinePolicies,
  compilePolicy,
  type Decision,
  decide,
  isAllowed,
  type PolicySource,
  rolePolicy,
} from './engine/index.ts';
import { loadSubject } from './subject-loader.ts';

// Decisions for a tenant's users from memory (DESIGN "Authorization"; policy-spec §7). Each role and
// each policy version is compiled once and shared by every subject that holds it; each subject's
// combined set is cached until an invalidation from the feed says it may have changed.

/** One question about a user: `context` is nested (`{subject: {...}, request: {...}, resource: {...}}`). */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  context?: Readonly<Record<string, unknown>>;
}

/** What a user is evaluated against, as loaded at one moment. */
export interface AuthzSubject {
  readonly tenantId: string;
  readonly userId: string;
  /** A deactivated user is denied everything. */
  readonly active: boolean;
  /** Names and ids of every role held, directly or through a group (policy-spec §6 `subject.roles`). */
  readonly roles: readonly string[];
  readonly roleIds: readonly string[];
  /** Names and ids of the user's groups (`subject.groups`). */
  readonly groups: readonly string[];
  readonly groupIds: readonly string[];
  readonly policies: CompiledPolicySet;
  /** Set when a stored policy no longer compiles: every decision denies (policy-spec §1, fail closed). */
  readonly failure?: string;
}

export interface Authorizer {
  /** The subject (cached), or undefined for an unknown or deleted user; rejects when the database fails. */
  subject(tenantId: string, userId: string): Promise<AuthzSubject | undefined>;
  /** The decision with its reason and matched statements. Never throws: failures deny, with `error`. */
  decide(tenantId: string, userId: string, request: AuthorizationRequest): Promise<Decision>;
  /** True only for an allow. Never throws. */
  isAllowed(tenantId: string, userId: string, request: AuthorizationRequest): Promise<boolean>;
}

export interface AuthorizerDeps {
  database: Database;
  feed: Pick<InvalidationFeed, 'subscribe'>;
  /**
   * Longest time a cached subject is trusted without an invalidation: a backstop for a change whose
   * writer records none. Default one minute.
   */
  maxAgeMs?: number;
}

const DEFAULT_MAX_AGE_MS = 60_000;
// Bounds memory; beyond them caches start over (a reload costs a few indexed reads, no compiling).
const MAX_SUBJECTS = 100_000;
const MAX_COMPILED_PER_TENANT = 5_000;
const EMPTY: CompiledPolicySet = combinePolicies([]);

const deny = (error: string): Decision => ({ decision: 'deny', reason: 'implicitDeny', matched: [], error });

/** The flat context of one request: the subject's own facts override whatever the caller sent. */
export function subjectContext(
  subject: AuthzSubject,
  nested: AuthorizationRequest['context'],
  defaults?: Context,
): Context {
  return buildContext(nested, {
    overrides: {
      'subject.id': subject.userId,
      'subject.tenant': subject.tenantId,
      'subject.roles': subject.roles,
      'subject.role_ids': subject.roleIds,
      'subject.groups': subject.groups,
      'subject.group_ids': subject.groupIds,
    },
    ...(defaults ? { defaults } : {}),
  });
}

/** Decides one request for a loaded subject (policy-spec §2). Never throws. */
export function decideFor(
  subject: AuthzSubject,
  request: AuthorizationRequest,
  defaults?: Context,
): Decision {
  if (subject.failure !== undefined) return deny(subject.failure);
  let context: Context;
  try {
    context = subjectContext(subject, request.context, defaults);
  } catch (error) {
    return deny(error instanceof Error ? error.message : 'malformed context');
  }
  return decide(subject.policies, { action: request.action, resource: request.resource, context });
}

interface TenantCache {
  /** Bumped by every invalidation of the tenant, so a load that raced one is not cached. */
  epoch: number;
  subjects: Map<string, { subject: AuthzSubject; at: number }>;
  loading: Map<string, Promise<AuthzSubject | undefined>>;
  /** Compiled roles (`role:<id>@<updated_at>`) and policy versions (`policy:<id>@<version>`). */
  compiled: Map<string, CompiledPolicy>;
}

const roleKey = (role: Role) => `role:${role.id}@${role.system ? 'system' : role.updatedAt}`;
const policyKey = (policy: AttachedPolicy) => `policy:${policy.id}@${policy.version}`;

export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
  const { database } = deps;
  const maxAgeMs = deps.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const tenants = new Map<string, TenantCache>();
  let cachedSubjects = 0;

  const cacheOf = (tenantId: string): TenantCache => {
    let cache = tenants.get(tenantId);
    if (!cache) {
      cache = { epoch: 0, subjects: new Map(), loading: new Map(), compiled: new Map() };
      tenants.set(tenantId, cache);
    }
    return cache;
  };

  function forget(invalidation: Invalidation): void {
    const cache = tenants.get(invalidation.tenantId);
    if (!cache) return;
    cache.epoch++;
    const everyone =
      invalidation.kind === 'tenant' || (invalidation.kind === 'authz' && invalidation.subject === EVERYONE);
    if (everyone) {
      cachedSubjects -= cache.subjects.size;
      cache.subjects.clear();
      cache.loading.clear();
      // Compiled versions never change, so they outlive role and policy changes; a tenant that is
      // suspended or deleted needs none of them any more.
      if (invalidation.kind === 'tenant') cache.compiled.clear();
    } else {
      if (cache.subjects.delete(invalidation.subject)) cachedSubjects--;
      cache.loading.delete(invalidation.subject);
    }
  }

  // Role and policy changes (`authz`), and users' own changes (`user`: deactivation, deletion).
  deps.feed.subscribe((invalidation) => {
    if (invalidation.kind === 'authz' || invalidation.kind === 'user' || invalidation.kind === 'tenant')
      forget(invalidation);
  });

  function compiled(cache: TenantCache, key: string, source: () => PolicySource): CompiledPolicy {
    let policy = cache.compiled.get(key);
    if (!policy) {
      policy = compilePolicy(source());
      if (cache.compiled.size >= MAX_COMPILED_PER_TENANT) cache.compiled.clear();
      cache.compiled.set(key, policy);
    }
    return policy;
  }

  async function load(
    cache: TenantCache,
    tenantId: string,
    userId: string,
  ): Promise<AuthzSubject | undefined> {
    const loaded = await loadSubject(database, tenantId, userId, (p) => cache.compiled.has(policyKey(p)));
    if (!loaded) return undefined;
    const facts = {
      tenantId,
      userId,
      active: loaded.active,
      roles: loaded.roles.map((r) => r.name),
      roleIds: loaded.roles.map((r) => r.id),
      groups: loaded.groups.map((g) => g.name),
      groupIds: loaded.groups.map((g) => g.id),
    };
    if (!loaded.active) return { ...facts, policies: EMPTY };
    try {
      const policies = [
        ...loaded.roles.map((role) =>
          compiled(cache, roleKey(role), () => rolePolicy(`role:${role.name}`, role.permissions)),
        ),
        ...loaded.policies.map((policy) =>
          compiled(cache, policyKey(policy), () => ({
            id: `policy:${policy.id}@${policy.version}`,
            document: loaded.documents.get(policy.id),
          })),
        ),
      ];
      return { ...facts, policies: combinePolicies(policies) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'a policy could not be compiled';
      return { ...facts, policies: EMPTY, failure: reason };
    }
  }

  async function subject(tenantId: string, rawUserId: string): Promise<AuthzSubject | undefined> {
    const userId = canonicalId(rawUserId);
    if (!userId) return undefined;
    const cache = cacheOf(tenantId);
    const hit = cache.subjects.get(userId);
    // Age on the monotonic clock, whatever the wall clock does.
    if (hit && performance.now() - hit.at < maxAgeMs) return hit.subject;
    const pending = cache.loading.get(userId);
    if (pending) return pending;
    const epoch = cache.epoch;
    const loading = load(cache, tenantId, userId).then((loaded) => {
      if (loaded && cache.epoch === epoch) {
        if (cachedSubjects >= MAX_SUBJECTS) {
          for (const other of tenants.values()) other.subjects.clear();
          cachedSubjects = 0;
        }
        if (!cache.subjects.has(userId)) cachedSubjects++;
        cache.subjects.set(userId, { subject: loaded, at: performance.now() });
      }
      return loaded;
    });
    cache.loading.set(userId, loading);
    const forgetLoading = () => {
      if (cache.loading.get(userId) === loading) cache.loading.delete(userId);
    };
    loading.then(forgetLoading, forgetLoading);
    return loading;
  }

  return {
    subject,

    async decide(tenantId, userId, request) {
      try {
        const found = await subject(tenantId, userId);
        return found ? decideFor(found, request) : deny('unknown subject');
      } catch {
        return deny('the subject could not be loaded');
      }
    },

    async isAllowed(tenantId, userId, request) {
      try {
        const found = await subject(tenantId, userId);
        if (!found || found.failure !== undefined) return false;
        const context = subjectContext(found, request.context);
        return isAllowed(found.policies, { action: request.action, resource: request.resource, context });
      } catch {
        return false;
      }
    },
  };
}
