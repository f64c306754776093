export { isPermission, PERMISSIONS, type Permission, PLATFORM_PERMISSIONS } from './permission-catalogue.ts';
export { assignRole, userRoleNames } from './role-assignments.ts';
export { createSystemRoles, SYSTEM_ROLES, type SystemRoleName } from './system-roles.ts';
