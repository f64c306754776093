import type { Clock } from '../clock.ts';
import { canonicalId, type Database, type Tx } from '../db/index.ts';
import { AppError } from '../http/index.ts';
import {
  EVERYONE,
  groupNotFound,
  type LockOption,
  recordAuthzChange,
  requireGroup,
  requireRole,
  requireUser,
  roleNotFound,
  userNotFound,
} from '../roles/index.ts';
import {
  type Attachment,
  attachPolicy,
  countAttached,
  detachPolicy,
  isAttached,
  listAttachments,
  type TargetType,
} from './attachment-repository.ts';
import { MAX_POLICIES_PER_TARGET } from './policy-document.ts';
import { policyNotFound, requirePolicy } from './policy-service.ts';

export interface AttachmentService {
  /** Idempotent: attaching an attached policy changes nothing; a target holds at most 20. */
  attach(
    tenantId: string,
    policyId: string,
    type: TargetType,
    targetId: string,
    actorId: string,
  ): Promise<void>;
  /** Where the policy is attached, a page at a time; an unknown policy is a 404. */
  list(
    tenantId: string,
    policyId: string,
    page: { limit: number; after?: readonly [string, string] },
  ): Promise<Attachment[]>;
  /** A policy that is not attached to the target is a 404. */
  detach(
    tenantId: string,
    policyId: string,
    type: TargetType,
    targetId: string,
    actorId: string,
  ): Promise<void>;
}

/** The role, group or user a policy attaches to, in this tenant (404 otherwise). */
function requireTarget(trx: Tx, tenantId: string, type: TargetType, raw: string, options: LockOption = {}) {
  if (type === 'role') return requireRole(trx, tenantId, raw, options);
  if (type === 'group') return requireGroup(trx, tenantId, raw, options);
  return requireUser(trx, tenantId, raw, options);
}

const targetNotFound = { role: roleNotFound, group: groupNotFound, user: userNotFound };

export function createAttachmentService(deps: { database: Database; clock: Clock }): AttachmentService {
  const { database, clock } = deps;
  const forUpdate = database.dialect === 'postgres';

  async function record(
    trx: Tx,
    type: 'policy.attached' | 'policy.detached',
    tenantId: string,
    policyId: string,
    target: { type: TargetType; id: string },
    actorId: string,
    now: Date,
  ) {
    const payload = {
      tenant_id: tenantId,
      policy_id: policyId,
      target_type: target.type,
      target_id: target.id,
      actor_id: actorId,
    };
    // A role's holders and a group's members may be many; a user is one subject.
    await recordAuthzChange(
      trx,
      { type, tenantId, payload },
      target.type === 'user' ? target.id : EVERYONE,
      now,
    );
  }

  return {
    list: (tenantId, policyId, page) =>
      database.withTenant(tenantId, async (trx) => {
        const policy = await requirePolicy(trx, tenantId, policyId);
        return listAttachments(trx, tenantId, policy.id, page);
      }),

    async attach(tenantId, policyId, type, targetId, actorId) {
      const now = clock.now();
      await database.withTenant(tenantId, async (trx) => {
        // Both rows stay locked (PostgreSQL) until commit: a concurrent delete of either waits, and
        // two attachments racing for a target's last slot take turns.
        const policy = await requirePolicy(trx, tenantId, policyId, { forUpdate });
        const target = await requireTarget(trx, tenantId, type, targetId, { forUpdate });
        if (await isAttached(trx, tenantId, policy.id, type, target.id)) return false;
        if ((await countAttached(trx, tenantId, type, target.id)) >= MAX_POLICIES_PER_TARGET) {
          throw new AppError(
            'IAM_ERR_POLICY_LIMIT',
            `A ${type} holds at most ${MAX_POLICIES_PER_TARGET} attached policies; detach one first.`,
          );
        }
        // Two identical requests racing past the check above: the second inserts nothing.
        if (!(await attachPolicy(trx, tenantId, policy.id, type, target.id, now.toISOString()))) return false;
        await record(trx, 'policy.attached', tenantId, policy.id, { type, id: target.id }, actorId, now);
        return true;
      });
    },

    async detach(tenantId, policyId, type, targetId, actorId) {
      const now = clock.now();
      await database.withTenant(tenantId, async (trx) => {
        const policy = await requirePolicy(trx, tenantId, policyId, { forUpdate });
        const id = canonicalId(targetId);
        if (id && (await detachPolicy(trx, tenantId, policy.id, type, id))) {
          await record(trx, 'policy.detached', tenantId, policy.id, { type, id }, actorId, now);
          return;
        }
        // Nothing was attached: say whether the target is unknown or simply does not hold the policy.
        if (!id) throw targetNotFound[type]();
        await requireTarget(trx, tenantId, type, id);
        throw policyNotFound(`The policy is not attached to this ${type}.`);
      });
    },
  };
}
