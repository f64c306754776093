import type { Database } from '../db/index.ts';
import { type GroupRef, type Role, subjectRoles } from '../roles/index.ts';
import { type AttachedPolicy, policiesAttachedTo, policyDocuments } from './attachment-repository.ts';

/** What one user is authorized by, read in one transaction. */
export interface LoadedSubject {
  active: boolean;
  /** Every role held, directly or through a group, once each. */
  roles: Role[];
  groups: GroupRef[];
  /** Every policy attached to the user, to one of its groups or to one of its roles, once each. */
  policies: AttachedPolicy[];
  /** Documents of the policies the caller has not compiled yet, by policy id. */
  documents: Map<string, unknown>;
}

/**
 * Reads a live user's roles, groups and attached policies; undefined for a user that is unknown or
 * deleted. Documents are read by exact (id, version) from the history, and only for the versions
 * `isCompiled` does not know, so a cache reload after an unrelated change reads no documents.
 */
export function loadSubject(
  database: Database,
  tenantId: string,
  userId: string,
  isCompiled: (policy: AttachedPolicy) => boolean,
): Promise<LoadedSubject | undefined> {
  return database.withTenant(tenantId, async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select('status')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!user) return undefined;
    const { groups, roles } = await subjectRoles(trx, tenantId, userId);
    const policies = await policiesAttachedTo(trx, tenantId, {
      user: userId,
      groups: groups.map((g) => g.id),
      roles: roles.map((held) => held.role.id),
    });
    const documents = await policyDocuments(
      trx,
      tenantId,
      policies.filter((policy) => !isCompiled(policy)),
    );
    return {
      active: user.status === 'active',
      roles: roles.map((held) => held.role),
      groups,
      policies,
      documents,
    };
  });
}
