import { type FieldError, problemResponses, ValidationError } from '../http/index.ts';
import { buildContext } from './authz-context.ts';
import type { Decision } from './engine/index.ts';

/** OpenAPI tags shared by the authorization routes. */
export const tags = ['authorization'];

/** Problems any authorization route may answer. */
export const problems = problemResponses(400, 401, 403, 404, 422);

/** A context that cannot be flattened (policy-spec §6) is the caller's mistake: a 422, not a silent deny. */
export function contextErrors(
  context: Readonly<Record<string, unknown>> | undefined,
  pointer: string,
): FieldError[] {
  try {
    buildContext(context);
    return [];
  } catch (error) {
    return [
      { pointer, message: error instanceof Error ? error.message : 'is not a valid context', in: 'body' },
    ];
  }
}

export function assertValidContexts(errors: FieldError[]): void {
  if (errors.length > 0) throw new ValidationError(errors, 'The request context is invalid.');
}

/** A decision as answered: `error` only when evaluation failed closed. */
export const decisionView = ({ decision, reason, matched, error }: Decision) => ({
  decision,
  reason,
  matched,
  ...(error !== undefined ? { error } : {}),
});
