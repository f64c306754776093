import { ProblemSchema } from './problem.ts';

/** The OpenAPI security requirement of routes that take a bearer access token. */
export const BEARER = [{ bearer: [] }];

/** Problem responses for the given statuses, for route `response` schemas. */
export function problemResponses<S extends number>(...statuses: S[]): Record<S, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema])) as Record<S, typeof ProblemSchema>;
}

/** The answer of a route that answers nothing (204). */
export const noContent = (description: string) => ({ type: 'null', description }) as const;

/**
 * Strong validator for `ETag` / `If-Match` (RFC 9110 §8.8.3) of a row that carries a version
 * bumped by every change.
 */
export const versionTag = (id: string, version: number) => `"${id}.${version}"`;
