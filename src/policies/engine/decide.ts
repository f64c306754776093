import type { CompiledPolicySet } from './compile.ts';
import { type CompiledStatement, statementApplies } from './statement.ts';
import type { AuthzRequest, Context, Decision, MatchedStatement } from './types.ts';

// The decision algorithm of policy-spec §2, written once and used in two
// shapes: `isAllowed` (boolean, stops at the first deciding statement,
// allocates nothing) and `decide` (collects every deciding statement for
// audit). Any error fails closed to deny (§1).

const describe = (statement: CompiledStatement): MatchedStatement => ({
  policy: statement.policy,
  statement: statement.statement,
  effect: statement.effect,
});

function checkRequest(request: AuthzRequest): void {
  const { action, resource, context } = request;
  if (
    typeof action !== 'string' ||
    typeof resource !== 'string' ||
    typeof context !== 'object' ||
    context === null
  ) {
    throw new TypeError('malformed authorization request');
  }
}

/**
 * Whether any statement of the given effect applies. With `matched === null`
 * it stops at the first one; otherwise it records every one in `matched`.
 */
function scan(
  set: CompiledPolicySet,
  deny: boolean,
  action: string,
  resource: string,
  context: Context,
  matched: MatchedStatement[] | null,
): boolean {
  let found = false;
  for (const policy of set.policies) {
    if (!(deny ? policy.hasDenies : policy.hasAllows)) continue;
    const candidates = policy.candidatesFor(action);
    for (const statement of deny ? candidates.denies : candidates.allows) {
      if (!statementApplies(statement, resource, context)) continue;
      if (matched === null) return true;
      matched.push(describe(statement));
      found = true;
    }
  }
  return found;
}

/** Fast path for hot loops: true only for an allow decision. Never throws; allocates nothing. */
export function isAllowed(set: CompiledPolicySet, request: AuthzRequest): boolean {
  try {
    checkRequest(request);
    const { action, resource, context } = request;
    // §2: without an applicable Allow the answer is deny whatever the Deny
    // statements say, so the (usually cheaper) Allow scan goes first.
    return (
      scan(set, false, action, resource, context, null) && !scan(set, true, action, resource, context, null)
    );
  } catch {
    return false;
  }
}

/** The decision with its reason and the statements that decided it (§2, §7). Never throws. */
export function decide(set: CompiledPolicySet, request: AuthzRequest): Decision {
  try {
    checkRequest(request);
    const { action, resource, context } = request;
    const matched: MatchedStatement[] = [];
    // §2: an explicit Deny overrides every Allow, so it is the reason whenever one applies.
    if (scan(set, true, action, resource, context, matched)) {
      return { decision: 'deny', reason: 'explicitDeny', matched };
    }
    if (scan(set, false, action, resource, context, matched))
      return { decision: 'allow', reason: 'allow', matched };
    return { decision: 'deny', reason: 'implicitDeny', matched };
  } catch (error) {
    return {
      decision: 'deny',
      reason: 'implicitDeny',
      matched: [],
      error: error instanceof Error ? error.message : 'evaluation failed',
    };
  }
}
