import { fromJson, keysetPage, type Tx } from '../db/index.ts';

export type TargetType = 'role' | 'group' | 'user';

export interface AttachedPolicy {
  id: string;
  version: number;
}

/** Attaches; answers false when the policy was attached to the target already. */
export async function attachPolicy(
  trx: Tx,
  tenantId: string,
  policyId: string,
  targetType: TargetType,
  targetId: string,
  now: string,
): Promise<boolean> {
  const rows = await trx
    .insertInto('policy_attachments')
    .values({
      tenant_id: tenantId,
      policy_id: policyId,
      target_type: targetType,
      target_id: targetId,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'policy_id', 'target_type', 'target_id']).doNothing())
    .returning('policy_id')
    .execute();
  return rows.length > 0;
}

/** Detaches; answers false when the policy was not attached to the target. */
export async function detachPolicy(
  trx: Tx,
  tenantId: string,
  policyId: string,
  targetType: TargetType,
  targetId: string,
): Promise<boolean> {
  const rows = await trx
    .deleteFrom('policy_attachments')
    .where('tenant_id', '=', tenantId)
    .where('policy_id', '=', policyId)
    .where('target_type', '=', targetType)
    .where('target_id', '=', targetId)
    .returning('policy_id')
    .execute();
  return rows.length > 0;
}

export interface Attachment {
  target_type: TargetType;
  target_id: string;
  /** The role's or group's name, the user's email; null for a user deleted since. */
  target_name: string | null;
  attached_at: string;
}

/**
 * Where a policy is attached, by (target type, target id) — the primary key's order — with each
 * target's name looked up for the page in one query per type.
 */
export async function listAttachments(
  trx: Tx,
  tenantId: string,
  policyId: string,
  options: { limit: number; after?: readonly [string, string] },
): Promise<Attachment[]> {
  const query = trx
    .selectFrom('policy_attachments')
    .select(['target_type', 'target_id', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('policy_id', '=', policyId);
  const rows = await keysetPage(query, { by: ['target_type', 'target_id'] }, options).execute();
  const idsOf = (type: string) => rows.filter((r) => r.target_type === type).map((r) => r.target_id);
  const names = new Map<string, string>();
  const remember = (found: { id: string; name: string }[]) => {
    for (const f of found) names.set(f.id, f.name);
  };
  for (const table of ['roles', 'groups'] as const) {
    const ids = idsOf(table.slice(0, -1));
    if (ids.length > 0)
      remember(
        await trx
          .selectFrom(table)
          .select(['id', 'name'])
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids)
          .execute(),
      );
  }
  const userIds = idsOf('user');
  if (userIds.length > 0)
    remember(
      await trx
        .selectFrom('users')
        .select(['id', 'email as name'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', userIds)
        .where('deleted_at', 'is', null)
        .execute(),
    );
  return rows.map((r) => ({
    target_type: r.target_type as TargetType,
    target_id: r.target_id,
    target_name: names.get(r.target_id) ?? null,
    attached_at: r.created_at,
  }));
}

export async function isAttached(
  trx: Tx,
  tenantId: string,
  policyId: string,
  targetType: TargetType,
  targetId: string,
): Promise<boolean> {
  const row = await trx
    .selectFrom('policy_attachments')
    .select('policy_id')
    .where('tenant_id', '=', tenantId)
    .where('policy_id', '=', policyId)
    .where('target_type', '=', targetType)
    .where('target_id', '=', targetId)
    .executeTakeFirst();
  return row !== undefined;
}

/** How many policies are attached to one target (the `policy_attachments_target` index). */
export async function countAttached(
  trx: Tx,
  tenantId: string,
  targetType: TargetType,
  targetId: string,
): Promise<number> {
  const row = await trx
    .selectFrom('policy_attachments')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('target_type', '=', targetType)
    .where('target_id', '=', targetId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The policies (id and current version) attached to any of a subject's targets: the user, its
 * groups and its roles. Each policy appears once, however many of the targets it is attached to.
 */
export async function policiesAttachedTo(
  trx: Tx,
  tenantId: string,
  targets: { user: string; groups: readonly string[]; roles: readonly string[] },
): Promise<AttachedPolicy[]> {
  const rows = await trx
    .selectFrom('policy_attachments')
    .innerJoin('policies', (j) =>
      j
        .onRef('policies.tenant_id', '=', 'policy_attachments.tenant_id')
        .onRef('policies.id', '=', 'policy_attachments.policy_id'),
    )
    .select(['policies.id', 'policies.version'])
    .distinct()
    .where('policy_attachments.tenant_id', '=', tenantId)
    .where((eb) => {
      const of = (type: TargetType, ids: readonly string[]) =>
        eb.and([
          eb('policy_attachments.target_type', '=', type),
          eb('policy_attachments.target_id', 'in', ids),
        ]);
      return eb.or([
        of('user', [targets.user]),
        ...(targets.groups.length > 0 ? [of('group', targets.groups)] : []),
        ...(targets.roles.length > 0 ? [of('role', targets.roles)] : []),
      ]);
    })
    .orderBy('policies.id')
    .execute();
  return rows;
}

/** The stored documents of exact policy versions (a version never changes once written). */
export async function policyDocuments(
  trx: Tx,
  tenantId: string,
  wanted: readonly AttachedPolicy[],
): Promise<Map<string, unknown>> {
  const documents = new Map<string, unknown>();
  if (wanted.length === 0) return documents;
  const rows = await trx
    .selectFrom('policy_versions')
    .select(['policy_id', 'document'])
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or(wanted.map((p) => eb.and([eb('policy_id', '=', p.id), eb('version', '=', p.version)]))),
    )
    .execute();
  for (const row of rows) documents.set(row.policy_id, fromJson(row.document));
  return documents;
}
