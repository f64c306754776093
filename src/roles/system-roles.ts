import { type Tx, toJson, uuidv7 } from '../db/index.ts';
import { PERMISSIONS, type Permission } from './permission-catalogue.ts';

const all = Object.keys(PERMISSIONS) as Permission[];
const SELF: Permission[] = ['self:read', 'self:update', 'verify:mfa'];

/**
 * The roles every tenant is created with. Their permissions are defined here, in code, so a release
 * that adds a permission extends `admin` everywhere at once; the stored copy is informational.
 */
export const SYSTEM_ROLES: Readonly<
  Record<'admin' | 'user' | 'auditor', { description: string; permissions: Permission[] }>
> = {
  admin: {
    description: 'Every permission in the tenant.',
    permissions: all,
  },
  user: { description: 'Self-service: one’s own profile, password, sessions and MFA.', permissions: SELF },
  auditor: {
    description: 'Read-only access to the tenant.',
    permissions: [...all.filter((p) => /:(read|list)$/.test(p)), 'self:read'],
  },
};

export type SystemRoleName = keyof typeof SYSTEM_ROLES;

export async function createSystemRoles(
  trx: Tx,
  tenantId: string,
  now: Date,
): Promise<Record<SystemRoleName, string>> {
  const ids = {} as Record<SystemRoleName, string>;
  for (const [name, role] of Object.entries(SYSTEM_ROLES) as [
    SystemRoleName,
    (typeof SYSTEM_ROLES)[SystemRoleName],
  ][]) {
    ids[name] = uuidv7(now.getTime());
    await trx
      .insertInto('roles')
      .values({
        tenant_id: tenantId,
        id: ids[name],
        name,
        description: role.description,
        permissions: toJson(role.permissions),
        system: true,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .execute();
  }
  return ids;
}
