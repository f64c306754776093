import { ProblemSchema } from '../http/index.ts';
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
export const security = [{ bearer: [] }];

/** Problems any roles route may answer. */
export const problems = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  422: ProblemSchema,
};

/** The answer of a route that answers nothing. */
export const noContent = (description: string) => ({ type: 'null', description }) as const;
