import { BEARER, noContent, problemResponses } from '../http/index.ts';
import type { Role } from './role-repository.ts';
import type { RoleView } from './role-schemas.ts';

export function roleView(role: Role): RoleView {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    system: role.system,
    created_at: role.createdAt,
    updated_at: role.updatedAt,
  };
}

/** OpenAPI tags shared by every roles route. */
export const tags = ['roles'];
export const security = BEARER;

/** Problems any roles route may answer. */
export const problems = problemResponses(400, 401, 403, 404, 422);

export { noContent };
