import { CompiledPolicy } from './action-index.ts';
import { compileStatement } from './statement.ts';
import type { PolicySource, ValidationIssue } from './types.ts';
import { analyzePolicy, VERSION_2012 } from './validate.ts';

// Parse once (policy-spec §7): globs compiled, CIDRs/numbers/dates parsed, and
// statements indexed by action (action-index.ts). Size caps are a write-time
// rule (§1), so compiling does not apply them.

/** The policies one subject is evaluated against (§7: only its own tenant's). */
export interface CompiledPolicySet {
  readonly policies: readonly CompiledPolicy[];
}

export class PolicyValidationError extends Error {
  readonly issues: readonly ValidationIssue[];

  constructor(id: string, issues: readonly ValidationIssue[]) {
    const first = issues[0];
    super(`policy ${id} is invalid: ${first ? `${first.pointer || '/'} ${first.message}` : 'unknown error'}`);
    this.name = 'PolicyValidationError';
    this.issues = issues;
  }
}

/** Compiles one policy; throws PolicyValidationError on an invalid document (callers validate first). */
export function compilePolicy(source: PolicySource): CompiledPolicy {
  const parsed = analyzePolicy(source.document, { maxChars: Number.POSITIVE_INFINITY });
  if (parsed.issues.length > 0) throw new PolicyValidationError(source.id, parsed.issues);
  return new CompiledPolicy(
    source.id,
    parsed.statements.map((statement) => compileStatement(source.id, statement)),
  );
}

/**
 * Groups compiled policies into the set one subject is evaluated against.
 * Compiled policies are immutable, so one compiled role policy can be shared
 * by every subject that holds the role.
 */
export const combinePolicies = (policies: readonly CompiledPolicy[]): CompiledPolicySet => ({
  policies: [...policies],
});

export const compilePolicies = (sources: readonly PolicySource[]): CompiledPolicySet =>
  combinePolicies(sources.map(compilePolicy));

/** Roles compile to one Allow statement: Action = the role's permissions, Resource `*`. */
export function rolePolicy(id: string, permissions: readonly string[]): PolicySource {
  const statements =
    permissions.length === 0 ? [] : [{ Effect: 'Allow', Action: [...permissions], Resource: '*' }];
  return { id, document: { Version: VERSION_2012, Statement: statements } };
}
