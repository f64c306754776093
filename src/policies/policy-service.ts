import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.ts';
import { canonicalId, type Database, type Tx, uuidv7 } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError, type CursorKey } from '../http/index.ts';
import { EVERYONE, recordAuthzChange } from '../roles/index.ts';
import { assertValidDocument, MAX_POLICIES_PER_TENANT } from './policy-document.ts';
import {
  countPolicies,
  deletePolicy,
  findPolicy,
  findPolicyVersion,
  insertPolicy,
  listPolicies,
  listPolicyVersions,
  type Policy,
  type PolicyVersion,
  updatePolicy,
} from './policy-repository.ts';
import type { CreatePolicyBody, UpdatePolicyBody } from './policy-schemas.ts';
import { etagOf } from './policy-view.ts';

export interface PageOptions {
  limit: number;
  after?: CursorKey;
}

export type ShownVersion = Pick<PolicyVersion, 'version' | 'document'>;

export interface PolicyService {
  /** Version 1 of a new policy; the tenant holds at most MAX_POLICIES_PER_TENANT. */
  create(tenantId: string, input: CreatePolicyBody, actorId: string): Promise<Policy>;
  /** The policy, and the saved version asked for (the current one when `version` is undefined). */
  get(tenantId: string, id: string, version?: number): Promise<{ policy: Policy; shown: ShownVersion }>;
  list(tenantId: string, page: PageOptions): Promise<Policy[]>;
  versions(tenantId: string, id: string, page: PageOptions): Promise<PolicyVersion[]>;
  /** Every change saves a new version; a change to nothing writes nothing. */
  update(
    tenantId: string,
    id: string,
    changes: UpdatePolicyBody,
    options: { ifMatch?: string; actorId: string },
  ): Promise<Policy>;
  remove(tenantId: string, id: string, actorId: string): Promise<void>;
}

export const policyNotFound = (detail = 'No such policy.') =>
  new AppError('IAM_ERR_POLICY_NOT_FOUND', detail);

/** A policy by an id from a URL; malformed, unknown and other tenants' ids are all 404. */
export async function requirePolicy(
  trx: Tx,
  tenantId: string,
  raw: string,
  options: { forUpdate?: boolean } = {},
): Promise<Policy> {
  const id = canonicalId(raw);
  const policy = id ? await findPolicy(trx, tenantId, id, options) : undefined;
  if (!policy) throw policyNotFound();
  return policy;
}

export function createPolicyService(deps: { database: Database; clock: Clock }): PolicyService {
  const { database, clock } = deps;
  const forUpdate = database.dialect === 'postgres';
  const payloadOf = (tenantId: string, policy: Policy, actorId: string) => ({
    tenant_id: tenantId,
    policy_id: policy.id,
    name: policy.name,
    version: policy.version,
    actor_id: actorId,
  });

  return {
    async create(tenantId, input, actorId) {
      assertValidDocument(input.document);
      const now = clock.now();
      const policy: Policy = {
        id: uuidv7(now.getTime()),
        name: input.name,
        description: input.description ?? '',
        version: 1,
        document: input.document,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      await database.withTenant(tenantId, async (trx) => {
        // Two creations racing for the last slot take turns on the tenant row (PostgreSQL).
        if (forUpdate)
          await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().execute();
        if ((await countPolicies(trx, tenantId)) >= MAX_POLICIES_PER_TENANT) {
          throw new AppError(
            'IAM_ERR_POLICY_LIMIT',
            `A tenant holds at most ${MAX_POLICIES_PER_TENANT} policies; delete or merge some first.`,
          );
        }
        await insertPolicy(trx, tenantId, policy, actorId);
        // Nothing is attached to a new policy, so no cached decision can be stale: no invalidation.
        await appendEvent(
          trx,
          { type: 'policy.created', tenantId, payload: payloadOf(tenantId, policy, actorId) },
          now,
        );
      });
      return policy;
    },

    get: (tenantId, id, version) =>
      database.withTenant(tenantId, async (trx) => {
        const policy = await requirePolicy(trx, tenantId, id);
        if (version === undefined || version === policy.version) return { policy, shown: policy };
        const shown = await findPolicyVersion(trx, tenantId, policy.id, version);
        if (!shown) throw policyNotFound(`The policy has no version ${version}.`);
        return { policy, shown };
      }),

    list: (tenantId, page) => database.withTenant(tenantId, (trx) => listPolicies(trx, tenantId, page)),

    versions: (tenantId, id, page) =>
      database.withTenant(tenantId, async (trx) => {
        const policy = await requirePolicy(trx, tenantId, id);
        return listPolicyVersions(trx, tenantId, policy.id, page);
      }),

    async update(tenantId, id, changes, options) {
      if (changes.document !== undefined) assertValidDocument(changes.document);
      const now = clock.now();
      const updated = await database.withTenant(tenantId, async (trx) => {
        const policy = await requirePolicy(trx, tenantId, id, { forUpdate });
        if (options.ifMatch !== undefined && options.ifMatch !== etagOf(policy))
          throw new AppError('IAM_ERR_PRECONDITION_FAILED', 'The policy changed since it was read.');
        const next: Policy = {
          ...policy,
          name: changes.name ?? policy.name,
          description: changes.description ?? policy.description,
          document: changes.document === undefined ? policy.document : changes.document,
        };
        if (
          next.name === policy.name &&
          next.description === policy.description &&
          isDeepStrictEqual(next.document, policy.document)
        ) {
          return { policy, changed: false };
        }
        next.version = policy.version + 1;
        next.updatedAt = now.toISOString();
        await updatePolicy(trx, tenantId, next, options.actorId);
        await recordAuthzChange(
          trx,
          { type: 'policy.updated', tenantId, payload: payloadOf(tenantId, next, options.actorId) },
          EVERYONE,
          now,
        );
        return { policy: next, changed: true };
      });
      return updated.policy;
    },

    async remove(tenantId, id, actorId) {
      const now = clock.now();
      await database.withTenant(tenantId, async (trx) => {
        const policy = await requirePolicy(trx, tenantId, id, { forUpdate });
        await deletePolicy(trx, tenantId, policy.id);
        const { version: _version, ...payload } = payloadOf(tenantId, policy, actorId);
        await recordAuthzChange(trx, { type: 'policy.deleted', tenantId, payload }, EVERYONE, now);
      });
    },
  };
}
