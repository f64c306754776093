export { assignmentRoutes } from './assignment-routes.ts';
export {
  type AssignmentService,
  createAssignmentService,
  type EffectivePermission,
  effectivePermissions,
  type PermissionSource,
} from './assignment-service.ts';
export { EVERYONE, recordAuthzChange } from './authz-changes.ts';
export {
  isPermission,
  PERMISSIONS,
  type Permission,
  PLATFORM_PERMISSIONS,
} from './permission-catalogue.ts';
export {
  assignRole,
  type GroupRef,
  type HeldRole,
  type SubjectRoles,
  subjectRoles,
  userRoleNames,
} from './role-assignments.ts';
export { covers, expand, grantedBy, grants, isGrantable } from './role-permissions.ts';
export type { Role } from './role-repository.ts';
export { roleRoutes } from './role-routes.ts';
export { createRoleService, type RoleService } from './role-service.ts';
export {
  groupNotFound,
  type LockOption,
  requireGroup,
  requireRole,
  requireUser,
  roleNotFound,
  userNotFound,
} from './role-targets.ts';
export { createSystemRoles, SYSTEM_ROLES, type SystemRoleName } from './system-roles.ts';
