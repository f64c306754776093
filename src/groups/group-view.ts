import { ProblemSchema } from '../http/index.ts';
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
export const problems = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  422: ProblemSchema,
};

/** The answer of a route that answers nothing. */
export const noContent = (description: string) => ({ type: 'null', description }) as const;
