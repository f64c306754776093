import type { Context, ContextScalar } from './types.ts';

/**
 * The positive sense of a base operator for one request value: true when the
 * value matches ANY of the statement's values for that key (policy-spec §5:
 * values for one key are ORed). Negation and set qualifiers are applied by
 * the caller so every family shares those rules.
 */
export type ScalarTest = (value: ContextScalar, context: Context) => boolean;

/** A problem with one condition value; `index` is its position in the key's list, or -1 for the whole value. */
export interface ValueIssue {
  index: number;
  message: string;
}

export type TestOrIssues =
  | { test: ScalarTest; issues?: undefined }
  | { test?: undefined; issues: ValueIssue[] };
