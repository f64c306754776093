import { type CompiledCondition, conditionHolds } from './conditions.ts';
import { compileGlob, type Glob, matchGlob } from './glob.ts';
import { compilePattern, matchesAnything, matchPattern, type Pattern } from './pattern.ts';
import type { Context, Effect } from './types.ts';
import type { ParsedStatement } from './validate.ts';

// One statement's matchers, and `applies(s, req)` from policy-spec §2:
// actionMatches AND resourceMatches AND every condition holds.

export interface CompiledStatement {
  readonly policy: string;
  /** Sid, or the statement's index as text (§2: "the matched Sids"). */
  readonly statement: string;
  readonly order: number;
  readonly effect: Effect;
  readonly deny: boolean;
  /** Lower-cased action patterns (§3: actions match case-insensitively). */
  readonly actionPatterns: readonly string[];
  readonly actions: readonly Glob[];
  readonly notAction: boolean;
  readonly resources: readonly Pattern[];
  readonly notResource: boolean;
  /** `Resource: "*"` (or a list holding it): the resource check can be skipped. */
  readonly anyResource: boolean;
  readonly conditions: readonly CompiledCondition[];
}

export function compileStatement(policy: string, parsed: ParsedStatement): CompiledStatement {
  const actionPatterns = parsed.actions.map((pattern) => pattern.toLowerCase());
  const resources = parsed.resources.map(compilePattern);
  return {
    policy,
    statement: parsed.sid ?? String(parsed.index),
    order: parsed.index,
    effect: parsed.effect,
    deny: parsed.effect === 'Deny',
    actionPatterns,
    actions: actionPatterns.map((pattern) => compileGlob(pattern)),
    notAction: parsed.notAction,
    resources,
    notResource: parsed.notResource,
    anyResource: !parsed.notResource && resources.some(matchesAnything),
    conditions: parsed.conditions,
  };
}

/** §3: Action (any pattern matches) or NotAction (no pattern matches); `action` is lower-cased. */
export function actionMatches(statement: CompiledStatement, action: string): boolean {
  for (const glob of statement.actions) if (matchGlob(glob, action)) return !statement.notAction;
  return statement.notAction;
}

function resourceMatches(statement: CompiledStatement, resource: string, context: Context): boolean {
  for (const pattern of statement.resources) {
    const matched = matchPattern(pattern, resource, context);
    if (matched === true) return !statement.notResource;
    // §4: a pattern with an unresolved variable matches no resource. Under
    // NotResource that would grant an Allow on every resource; [inference,
    // fail closed] an unresolved variable never widens an Allow.
    if (matched === undefined && statement.notResource && !statement.deny) return false;
  }
  return statement.notResource;
}

/** §2 `applies`, given that the action already matched (candidates come from the action index). */
export function statementApplies(statement: CompiledStatement, resource: string, context: Context): boolean {
  if (!statement.anyResource && !resourceMatches(statement, resource, context)) return false;
  for (const condition of statement.conditions) if (!conditionHolds(condition, context)) return false;
  return true;
}
