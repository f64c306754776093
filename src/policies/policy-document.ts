import { type FieldError, ValidationError } from '../http/index.ts';
import { DEFAULT_MAX_CHARS, type ValidationIssue, validatePolicy } from './engine/index.ts';

// Caps that bound what one decision costs (policy-spec §1: "impose similar caps, which bound
// evaluation cost"). AWS allows 10 managed policies per user or role by default and 20 at most.

/** Policies one tenant may hold. */
export const MAX_POLICIES_PER_TENANT = 1000;
/** Policies attached to one role, one group or one user. */
export const MAX_POLICIES_PER_TARGET = 20;
/** Characters of one document, not counting whitespace (policy-spec §1, the engine's default). */
export const MAX_DOCUMENT_CHARS = DEFAULT_MAX_CHARS;

/** The engine's issues as field errors of the request body, their pointers under `prefix`. */
export function issuesAt(prefix: string, issues: readonly ValidationIssue[]): FieldError[] {
  return issues.map(({ pointer, message }) => ({ pointer: `${prefix}${pointer}`, message, in: 'body' }));
}

/** A 422 `IAM_ERR_POLICY_INVALID` naming each offending element of the request body. */
export function policyInvalid(errors: FieldError[]): ValidationError {
  return new ValidationError(errors, 'The policy document is invalid.', 'IAM_ERR_POLICY_INVALID');
}

/** Validates on write (policy-spec §1 "Validation"): every issue, pointed at from `prefix`. */
export function documentErrors(document: unknown, prefix: string): FieldError[] {
  return issuesAt(prefix, validatePolicy(document, { maxChars: MAX_DOCUMENT_CHARS }));
}

export function assertValidDocument(document: unknown, prefix = '/document'): void {
  const errors = documentErrors(document, prefix);
  if (errors.length > 0) throw policyInvalid(errors);
}
