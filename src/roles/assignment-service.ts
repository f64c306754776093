import type { Clock } from '../clock.ts';
import type { Database, Tx } from '../db/index.ts';
import { EVERYONE, recordAuthzChange } from './authz-changes.ts';
import { PERMISSIONS, type Permission } from './permission-catalogue.ts';
import {
  addGroupRole,
  addUserRole,
  type GroupRef,
  type HeldRole,
  removeGroupRole,
  removeUserRole,
  rolesOfGroup,
  subjectRoles,
} from './role-assignments.ts';
import { expand } from './role-permissions.ts';
import type { Role } from './role-repository.ts';
import { requireGroup, requireRole, requireUser } from './role-targets.ts';

export interface PermissionSource {
  role: Role;
  /** The role's entry that grants the permission: the permission itself, `resource:*` or `*`. */
  grantedAs: string;
  /** The group through which the user holds the role, or null for a direct assignment. */
  group: GroupRef | null;
}

export interface EffectivePermission {
  permission: Permission;
  sources: PermissionSource[];
}

type Target = 'user' | 'group';

export interface AssignmentService {
  /** Idempotent: assigning a held role changes nothing and emits nothing. */
  assign(tenantId: string, target: Target, targetId: string, roleId: string, actorId: string): Promise<void>;
  /** Idempotent: taking a role that is not held changes nothing and emits nothing. */
  unassign(
    tenantId: string,
    target: Target,
    targetId: string,
    roleId: string,
    actorId: string,
  ): Promise<void>;
  rolesOfUser(tenantId: string, userId: string): Promise<HeldRole[]>;
  rolesOfGroup(tenantId: string, groupId: string): Promise<Role[]>;
  /** Catalogue permissions the user's roles grant, each with every role (and group) granting it. */
  permissionsOfUser(tenantId: string, userId: string): Promise<EffectivePermission[]>;
}

/** Expands each held role's entries to catalogue permissions, keeping every source. */
export function effectivePermissions(held: readonly HeldRole[]): EffectivePermission[] {
  const found = new Map<Permission, PermissionSource[]>();
  for (const { role, direct, groups } of held) {
    const vias: (GroupRef | null)[] = [...(direct ? [null] : []), ...groups];
    for (const grantedAs of role.permissions) {
      for (const permission of expand(grantedAs)) {
        const sources = found.get(permission) ?? [];
        found.set(permission, sources);
        for (const group of vias) sources.push({ role, grantedAs, group });
      }
    }
  }
  // Catalogue order, so the answer reads like the catalogue.
  return (Object.keys(PERMISSIONS) as Permission[])
    .filter((permission) => found.has(permission))
    .map((permission) => ({ permission, sources: found.get(permission) ?? [] }));
}

export function createAssignmentService(deps: { database: Database; clock: Clock }): AssignmentService {
  const { database, clock } = deps;
  const forUpdate = database.dialect === 'postgres';

  async function apply(
    tenantId: string,
    target: Target,
    rawTargetId: string,
    rawRoleId: string,
    actorId: string,
    assign: boolean,
  ): Promise<void> {
    const now = clock.now();
    await database.withTenant(tenantId, async (trx: Tx) => {
      // The target first: it is the resource the path names; both rows stay locked until commit.
      const holder =
        target === 'user'
          ? await requireUser(trx, tenantId, rawTargetId, { forUpdate })
          : await requireGroup(trx, tenantId, rawTargetId, { forUpdate });
      const role = await requireRole(trx, tenantId, rawRoleId, { forUpdate });
      const write =
        target === 'user'
          ? assign
            ? addUserRole(trx, tenantId, holder.id, role.id, now.toISOString())
            : removeUserRole(trx, tenantId, holder.id, role.id)
          : assign
            ? addGroupRole(trx, tenantId, holder.id, role.id, now.toISOString())
            : removeGroupRole(trx, tenantId, holder.id, role.id);
      if (!(await write)) return false;
      await recordAuthzChange(
        trx,
        {
          type: assign ? 'role.assigned' : 'role.unassigned',
          tenantId,
          payload: {
            tenant_id: tenantId,
            role_id: role.id,
            name: role.name,
            actor_id: actorId,
            target_type: target,
            target_id: holder.id,
          },
        },
        // A group's members may be many, and membership is read when a subject is loaded.
        target === 'user' ? holder.id : EVERYONE,
        now,
      );
      return true;
    });
  }

  return {
    assign: (tenantId, target, targetId, roleId, actorId) =>
      apply(tenantId, target, targetId, roleId, actorId, true),
    unassign: (tenantId, target, targetId, roleId, actorId) =>
      apply(tenantId, target, targetId, roleId, actorId, false),

    rolesOfUser: (tenantId, userId) =>
      database.withTenant(tenantId, async (trx) => {
        const user = await requireUser(trx, tenantId, userId);
        return (await subjectRoles(trx, tenantId, user.id)).roles;
      }),

    rolesOfGroup: (tenantId, groupId) =>
      database.withTenant(tenantId, async (trx) => {
        const group = await requireGroup(trx, tenantId, groupId);
        return rolesOfGroup(trx, tenantId, group.id);
      }),

    permissionsOfUser: (tenantId, userId) =>
      database.withTenant(tenantId, async (trx) => {
        const user = await requireUser(trx, tenantId, userId);
        return effectivePermissions((await subjectRoles(trx, tenantId, user.id)).roles);
      }),
  };
}
