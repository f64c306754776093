import { problemResponses } from '../http/index.ts';
import type { Group } from './group-repository.ts';
import type { GroupView } from './group-schemas.ts';

export function groupView(group: Group): GroupView {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    created_at: group.createdAt,
    updated_at: group.updatedAt,
  };
}

/** OpenAPI tags shared by every groups route. */
export const tags = ['groups'];

/** Problems any groups route may answer. */
export const problems = problemResponses(400, 401, 403, 404, 422);

/** The answer of a route that answers nothing. */
export const noContent = (description: string) => ({ type: 'null', description }) as const;
