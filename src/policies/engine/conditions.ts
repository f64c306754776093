import type { ScalarTest, TestOrIssues, ValueIssue } from './condition-types.ts';
import { type ContextKey, contextKey, isList, lookup } from './context.ts';
import type { OperatorSpec, Qualifier } from './operators.ts';
import { parseBool } from './scalars.ts';
import { buildStringTest } from './string-ops.ts';
import { buildTypedTest } from './typed-ops.ts';
import type { Context, ContextScalar } from './types.ts';

// One compiled `Operator: { Key: values }` entry and its truth value for a
// request (policy-spec §5: "Combining conditions", "Missing keys", the
// operator table, and the multivalued-key notes).

/** Null's two answers (§5: "true" matches a missing key, "false" a present one; values are ORed). */
interface Presence {
  readonly missing: boolean;
  readonly present: boolean;
}

export interface CompiledCondition {
  readonly operator: string;
  readonly key: ContextKey;
  readonly qualifier: Qualifier;
  readonly ifExists: boolean;
  readonly negated: boolean;
  readonly test: ScalarTest;
  readonly presence: Presence | null;
}

const isScalar = (value: unknown): value is ContextScalar =>
  typeof value === 'string' ||
  (typeof value === 'number' && Number.isFinite(value)) ||
  typeof value === 'boolean';

const never: ScalarTest = () => false;

function presenceOf(raws: readonly ContextScalar[]): Presence | ValueIssue[] {
  let missing = false;
  let present = false;
  const issues: ValueIssue[] = [];
  raws.forEach((raw, index) => {
    const wanted = parseBool(raw);
    if (wanted === undefined)
      issues.push({ index, message: 'Null takes "true" (key missing) or "false" (key present)' });
    else if (wanted) missing = true;
    else present = true;
  });
  return issues.length > 0 ? issues : { missing, present };
}

/**
 * Compiles one key's values under an operator. `raw` is the JSON as written:
 * a scalar or a non-empty list of scalars (§1: `Key: value | [value, ...]`).
 * Issues with `index` -1 concern the value as a whole.
 */
export function compileCondition(
  spec: OperatorSpec,
  keyName: string,
  raw: unknown,
  variables: boolean,
): CompiledCondition | ValueIssue[] {
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) return [{ index: -1, message: 'a condition key needs at least one value' }];
  const raws = list.filter(isScalar);
  if (raws.length !== list.length) {
    const message = 'must be a string, number or boolean';
    if (!Array.isArray(raw)) return [{ index: -1, message }];
    return list.flatMap((value, index) => (isScalar(value) ? [] : [{ index, message }]));
  }
  const base = {
    operator: spec.name,
    key: contextKey(keyName),
    qualifier: spec.qualifier,
    ifExists: spec.ifExists,
  };
  const atIndex = (issues: ValueIssue[]): ValueIssue[] =>
    Array.isArray(raw) ? issues : issues.map((issue) => ({ ...issue, index: -1 }));

  if (spec.family === 'null') {
    const presence = presenceOf(raws);
    if (Array.isArray(presence)) return atIndex(presence);
    return { ...base, negated: false, test: never, presence };
  }
  const built: TestOrIssues =
    spec.family === 'string' || spec.family === 'stringIgnoreCase' || spec.family === 'like'
      ? buildStringTest(spec.family, raws, variables)
      : buildTypedTest(spec.family, spec.comparison, raws, variables);
  if (built.issues !== undefined) return atIndex(built.issues);
  return { ...base, negated: spec.negated, test: built.test, presence: null };
}

/** The base operator (with its negation) for one request value. */
const holdsFor = (condition: CompiledCondition, value: ContextScalar, context: Context): boolean =>
  condition.test(value, context) !== condition.negated;

export function conditionHolds(condition: CompiledCondition, context: Context): boolean {
  const value = lookup(context, condition.key);
  const { presence, qualifier } = condition;
  if (presence !== null) return value === undefined ? presence.missing : presence.present;
  if (value === undefined) {
    // §5 "Missing keys": IfExists → true; ForAllValues → true; ForAnyValue → false;
    // plain operators → true only when negated.
    return condition.ifExists || qualifier === 'all' || (qualifier === 'none' && condition.negated);
  }
  if (qualifier === 'none') {
    // §5 notes: multivalued keys require a set operator; a plain operator does not match a list.
    return !isList(value) && holdsFor(condition, value, context);
  }
  if (isList(value)) {
    if (qualifier === 'any') {
      for (const item of value) if (holdsFor(condition, item, context)) return true;
      return false;
    }
    for (const item of value) if (!holdsFor(condition, item, context)) return false;
    return true;
  }
  // §5: an empty string is a null data set (ForAllValues true, ForAnyValue false);
  // any other scalar is a one-element set [spec inference].
  if (value === '') return qualifier === 'all';
  return holdsFor(condition, value, context);
}
