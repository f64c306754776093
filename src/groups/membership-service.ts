import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import { canonicalId } from '../db/index.ts';
import type { CursorKey } from '../http/index.ts';
import { EVERYONE, recordAuthzChange } from '../roles/index.ts';
import { findUserById } from '../users/index.ts';
import { groupNotFound, userNotFound } from './group-errors.ts';
import { findGroup, type Group } from './group-repository.ts';
import type { ChangeMembersBody } from './group-schemas.ts';
import {
  deleteMembers,
  insertMembers,
  listGroupsOfUser,
  listMembers,
  liveUserIds,
  type Member,
} from './membership-repository.ts';
import {
  type MembershipOutcome,
  type MembershipRequest,
  membershipOutcomes,
  toMembershipRequest,
} from './membership-request.ts';

export interface PageOptions {
  limit: number;
  after?: CursorKey;
}

export interface MembershipService {
  /** Adds and removes users in one transaction; unknown users are reported, not refused. */
  changeMembers(
    tenantId: string,
    groupId: string,
    body: ChangeMembersBody,
    actorId: string,
  ): Promise<MembershipOutcome[]>;
  /** Idempotent; an unknown user is IAM_ERR_USER_NOT_FOUND. */
  addMember(tenantId: string, groupId: string, userId: string, actorId: string): Promise<void>;
  /** Idempotent; an unknown user is IAM_ERR_USER_NOT_FOUND. */
  removeMember(tenantId: string, groupId: string, userId: string, actorId: string): Promise<void>;
  listMembers(tenantId: string, groupId: string, page: PageOptions): Promise<Member[]>;
  groupsOfUser(tenantId: string, userId: string, page: PageOptions): Promise<Group[]>;
}

export function createMembershipService(deps: { database: Database; clock: Clock }): MembershipService {
  const { database, clock } = deps;
  const forUpdate = database.dialect === 'postgres';

  async function apply(
    tenantId: string,
    rawGroupId: string,
    request: MembershipRequest,
    actorId: string,
  ): Promise<MembershipOutcome[]> {
    const groupId = canonicalId(rawGroupId);
    if (!groupId) throw groupNotFound();
    const now = clock.now();
    return database.withTenant(tenantId, async (trx) => {
      // Locked, so a concurrent delete of the group waits for this change (or makes it a 404)
      // instead of turning the inserts into foreign-key failures.
      if (!(await findGroup(trx, tenantId, groupId, { forUpdate }))) throw groupNotFound();
      const live = await liveUserIds(trx, tenantId, [...request.add, ...request.remove]);
      const toAdd = request.add.filter((id) => live.has(id));
      const toRemove = request.remove.filter((id) => live.has(id));
      const added = await insertMembers(trx, tenantId, groupId, toAdd, now.toISOString());
      const removed = await deleteMembers(trx, tenantId, groupId, toRemove);
      if (added.size > 0 || removed.size > 0) {
        // Members' effective roles and policies changed: cached decisions for them must go.
        const changed = [...added, ...removed];
        await recordAuthzChange(
          trx,
          {
            type: 'group.membership_changed',
            tenantId,
            payload: {
              tenant_id: tenantId,
              group_id: groupId,
              added: toAdd.filter((id) => added.has(id)),
              removed: toRemove.filter((id) => removed.has(id)),
              actor_id: actorId,
            },
          },
          changed.length === 1 ? (changed[0] as string) : EVERYONE,
          now,
        );
      }
      return membershipOutcomes(request, live, added, removed);
    });
  }

  async function changeOne(
    tenantId: string,
    groupId: string,
    rawUserId: string,
    side: keyof MembershipRequest,
    actorId: string,
  ): Promise<void> {
    const userId = canonicalId(rawUserId);
    // A malformed user id still goes through, as an empty change: an unknown group is reported first.
    const request: MembershipRequest = { add: [], remove: [] };
    if (userId) request[side].push(userId);
    const [outcome] = await apply(tenantId, groupId, request, actorId);
    if (!outcome || outcome.result === 'not_found') throw userNotFound();
  }

  return {
    changeMembers: (tenantId, groupId, body, actorId) =>
      apply(tenantId, groupId, toMembershipRequest(body), actorId),

    addMember: (tenantId, groupId, userId, actorId) => changeOne(tenantId, groupId, userId, 'add', actorId),

    removeMember: (tenantId, groupId, userId, actorId) =>
      changeOne(tenantId, groupId, userId, 'remove', actorId),

    async listMembers(tenantId, rawGroupId, page) {
      const groupId = canonicalId(rawGroupId);
      if (!groupId) throw groupNotFound();
      return database.withTenant(tenantId, async (trx) => {
        if (!(await findGroup(trx, tenantId, groupId))) throw groupNotFound();
        return listMembers(trx, tenantId, groupId, page);
      });
    },

    async groupsOfUser(tenantId, rawUserId, page) {
      const userId = canonicalId(rawUserId);
      if (!userId) throw userNotFound();
      return database.withTenant(tenantId, async (trx) => {
        if (!(await findUserById(trx, tenantId, userId))) throw userNotFound();
        return listGroupsOfUser(trx, tenantId, userId, page);
      });
    },
  };
}
