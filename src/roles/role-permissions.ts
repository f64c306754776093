import type { FieldError } from '../http/index.ts';
import { isPermission, PERMISSIONS, type Permission } from './permission-catalogue.ts';
import { SYSTEM_ROLES, type SystemRoleName } from './system-roles.ts';

// What a role may list: catalogue permissions, `resource:*` for every permission of one catalogued
// resource, or `*` for all of them. Roles compile to one Allow statement whose Action is this list
// (policy-spec §3: actions match as globs, case-insensitively), so the two wildcard forms mean
// exactly what the policy engine makes of them; other globs (`user:re*`) are refused because a role
// should read as a list of permissions, not as a pattern language.

const CATALOGUE = Object.keys(PERMISSIONS) as Permission[];
const RESOURCES = new Set(CATALOGUE.map((p) => p.slice(0, p.indexOf(':'))));

/** True for a permission a role may hold: catalogued, `resource:*` of a catalogued resource, or `*`. */
export function isGrantable(value: string): boolean {
  if (value === '*' || isPermission(value)) return true;
  return value.endsWith(':*') && RESOURCES.has(value.slice(0, -2));
}

/** One field error per entry that is not grantable, pointing at `/permissions/<index>`. */
export function permissionErrors(permissions: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  permissions.forEach((permission, index) => {
    if (!isGrantable(permission)) {
      errors.push({
        pointer: `/permissions/${index}`,
        message: `"${permission}" is not a catalogued permission, a resource:* wildcard or *`,
        in: 'body',
      });
    }
  });
  return errors;
}

/** True when a granted entry (exact, `resource:*` or `*`) covers the catalogue permission. */
export function covers(granted: string, permission: string): boolean {
  if (granted === '*' || granted === permission) return true;
  return granted.endsWith(':*') && permission.startsWith(granted.slice(0, -1));
}

/** True when any of the granted entries covers the required permission (service clients' grants). */
export function grants(granted: Iterable<string>, required: string): boolean {
  for (const entry of granted) if (covers(entry, required)) return true;
  return false;
}

/** The catalogue permissions a granted entry stands for (a wildcard expands to several). */
export function expand(granted: string): Permission[] {
  return CATALOGUE.filter((permission) => covers(granted, permission));
}

/**
 * What a role grants. System roles take their permissions from code, so a release that adds a
 * permission extends them everywhere at once; the stored column is informational for them.
 */
export function grantedBy(role: { name: string; system: boolean; permissions: readonly string[] }): string[] {
  if (!role.system) return [...role.permissions];
  return [...(SYSTEM_ROLES[role.name as SystemRoleName]?.permissions ?? [])];
}
