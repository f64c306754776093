import type { Clock } from '../clock.ts';
import { type Database, type Tx, uuidv7 } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError, type CursorKey, ValidationError } from '../http/index.ts';
import { EVERYONE, recordAuthzChange } from './authz-changes.ts';
import { permissionErrors } from './role-permissions.ts';
import { deleteRole, insertRole, listRoles, type Role, updateRole } from './role-repository.ts';
import type { CreateRoleBody, UpdateRoleBody } from './role-schemas.ts';
import { requireRole } from './role-targets.ts';

export interface RoleService {
  create(tenantId: string, input: CreateRoleBody, actorId: string): Promise<Role>;
  get(tenantId: string, id: string): Promise<Role>;
  list(tenantId: string, options: { limit: number; after?: CursorKey }): Promise<Role[]>;
  /** Name, description and permissions of a custom role; a change to nothing writes nothing. */
  update(tenantId: string, id: string, changes: UpdateRoleBody, actorId: string): Promise<Role>;
  /** Deletes a custom role with its assignments and the policy attachments naming it. */
  remove(tenantId: string, id: string, actorId: string): Promise<void>;
}

export interface RoleServiceDeps {
  database: Database;
  clock: Clock;
  /** Polled after each committed change, so this process decides with it at once. */
}

function assertGrantable(permissions: readonly string[] | undefined): void {
  const errors = permissionErrors(permissions ?? []);
  if (errors.length > 0) throw new ValidationError(errors, 'The role lists unknown permissions.');
}

function refuseSystem(role: Role): void {
  if (role.system)
    throw new AppError(
      'IAM_ERR_ROLE_PROTECTED',
      `The system role "${role.name}" cannot be changed or deleted.`,
    );
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, index) => value === b[index]);

export function createRoleService(deps: RoleServiceDeps): RoleService {
  const { database, clock } = deps;
  const forUpdate = database.dialect === 'postgres';
  const payloadOf = (tenantId: string, role: Role, actorId: string) => ({
    tenant_id: tenantId,
    role_id: role.id,
    name: role.name,
    actor_id: actorId,
  });

  async function change<T>(tenantId: string, fn: (trx: Tx) => Promise<T>): Promise<T> {
    const result = await database.withTenant(tenantId, fn);
    return result;
  }

  return {
    async create(tenantId, input, actorId) {
      assertGrantable(input.permissions);
      const now = clock.now();
      const role: Role = {
        id: uuidv7(now.getTime()),
        name: input.name,
        description: input.description ?? '',
        permissions: [...input.permissions],
        system: false,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      // Nobody holds a new role and no policy names it yet, so no cached decision can be stale:
      // creating one records its event but no invalidation.
      await database.withTenant(tenantId, async (trx) => {
        await insertRole(trx, tenantId, role);
        await appendEvent(
          trx,
          { type: 'role.created', tenantId, payload: payloadOf(tenantId, role, actorId) },
          now,
        );
      });
      return role;
    },

    get: (tenantId, id) => database.withTenant(tenantId, (trx) => requireRole(trx, tenantId, id)),

    list: (tenantId, options) => database.withTenant(tenantId, (trx) => listRoles(trx, tenantId, options)),

    async update(tenantId, id, changes, actorId) {
      assertGrantable(changes.permissions);
      const now = clock.now();
      return change(tenantId, async (trx) => {
        const role = await requireRole(trx, tenantId, id, { forUpdate });
        refuseSystem(role);
        const next: Role = {
          ...role,
          name: changes.name ?? role.name,
          description: changes.description ?? role.description,
          permissions: changes.permissions ? [...changes.permissions] : role.permissions,
        };
        if (
          next.name === role.name &&
          next.description === role.description &&
          sameList(next.permissions, role.permissions)
        ) {
          return role;
        }
        next.updatedAt = now.toISOString();
        await updateRole(trx, tenantId, next);
        // Holders may be many (directly and through groups), and the name is visible to policies.
        await recordAuthzChange(
          trx,
          { type: 'role.updated', tenantId, payload: payloadOf(tenantId, next, actorId) },
          EVERYONE,
          now,
        );
        return next;
      });
    },

    async remove(tenantId, id, actorId) {
      const now = clock.now();
      await change(tenantId, async (trx) => {
        const role = await requireRole(trx, tenantId, id, { forUpdate });
        refuseSystem(role);
        await deleteRole(trx, tenantId, role.id);
        await recordAuthzChange(
          trx,
          { type: 'role.deleted', tenantId, payload: payloadOf(tenantId, role, actorId) },
          EVERYONE,
          now,
        );
      });
    },
  };
}
