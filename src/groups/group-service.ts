import type { Clock } from '../clock.ts';
import { canonicalId, type Database, type Tx, uuidv7 } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { EVERYONE, recordAuthzChange } from '../roles/index.ts';
import { groupNotFound } from './group-errors.ts';
import {
  deleteGroup,
  findGroup,
  type Group,
  insertGroup,
  listGroups,
  updateGroup,
} from './group-repository.ts';
import type { CreateGroupBody, UpdateGroupBody } from './group-schemas.ts';
import { cleanGroupName, normalizeGroupName } from './group-values.ts';
import { createMembershipService, type MembershipService, type PageOptions } from './membership-service.ts';

export interface GroupService extends MembershipService {
  create(tenantId: string, input: CreateGroupBody, actorId: string): Promise<Group>;
  get(tenantId: string, id: string): Promise<Group>;
  list(tenantId: string, options: PageOptions & { name?: string }): Promise<Group[]>;
  /** Changes name and description; a change to neither writes nothing and emits nothing. */
  update(tenantId: string, id: string, changes: UpdateGroupBody, actorId: string): Promise<Group>;
  remove(tenantId: string, id: string, actorId: string): Promise<void>;
}

export function createGroupService(deps: { database: Database; clock: Clock }): GroupService {
  const { database, clock } = deps;
  const forUpdate = database.dialect === 'postgres';

  function changed(
    trx: Tx,
    type: 'group.created' | 'group.updated',
    tenantId: string,
    group: Group,
    actorId: string,
    now: Date,
  ): Promise<string> {
    const payload = { tenant_id: tenantId, group_id: group.id, name: group.name, actor_id: actorId };
    return appendEvent(trx, { type, tenantId, payload }, now);
  }

  return {
    ...createMembershipService(deps),

    async create(tenantId, input, actorId) {
      const now = clock.now();
      const group: Group = {
        id: uuidv7(now.getTime()),
        name: cleanGroupName(input.name),
        nameNormalized: normalizeGroupName(input.name),
        description: input.description ?? '',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      await database.withTenant(tenantId, async (trx) => {
        await insertGroup(trx, tenantId, group);
        await changed(trx, 'group.created', tenantId, group, actorId, now);
      });
      return group;
    },

    async get(tenantId, rawId) {
      const id = canonicalId(rawId);
      const group = id && (await database.withTenant(tenantId, (trx) => findGroup(trx, tenantId, id)));
      if (!group) throw groupNotFound();
      return group;
    },

    list: (tenantId, options) =>
      database.withTenant(tenantId, (trx) =>
        listGroups(trx, tenantId, {
          limit: options.limit,
          ...(options.after ? { after: options.after } : {}),
          ...(options.name !== undefined ? { namePrefix: normalizeGroupName(options.name) } : {}),
        }),
      ),

    async update(tenantId, rawId, changes, actorId) {
      const id = canonicalId(rawId);
      if (!id) throw groupNotFound();
      const now = clock.now();
      return database.withTenant(tenantId, async (trx) => {
        const group = await findGroup(trx, tenantId, id, { forUpdate });
        if (!group) throw groupNotFound();
        const name = changes.name === undefined ? group.name : cleanGroupName(changes.name);
        const description = changes.description ?? group.description;
        if (name === group.name && description === group.description) return group;
        const next: Group = {
          ...group,
          name,
          nameNormalized: normalizeGroupName(name),
          description,
          updatedAt: now.toISOString(),
        };
        await updateGroup(trx, tenantId, next);
        await changed(trx, 'group.updated', tenantId, next, actorId, now);
        return next;
      });
    },

    async remove(tenantId, rawId, actorId) {
      const id = canonicalId(rawId);
      if (!id) throw groupNotFound();
      const now = clock.now();
      await database.withTenant(tenantId, async (trx) => {
        if (!(await deleteGroup(trx, tenantId, id))) throw groupNotFound();
        // Policies attached to the group go with it (the attachment has no foreign key to its target).
        await trx
          .deleteFrom('policy_attachments')
          .where('tenant_id', '=', tenantId)
          .where('target_type', '=', 'group')
          .where('target_id', '=', id)
          .execute();
        await recordAuthzChange(
          trx,
          {
            type: 'group.deleted',
            tenantId,
            payload: { tenant_id: tenantId, group_id: id, actor_id: actorId },
          },
          EVERYONE,
          now,
        );
      });
    },
  };
}
