// The policy engine's only import surface (policy-spec.md describes the rules).

export type { CompiledPolicy } from './action-index.ts';
export {
  type CompiledPolicySet,
  combinePolicies,
  compilePolicies,
  compilePolicy,
  PolicyValidationError,
  rolePolicy,
} from './compile.ts';
export { flattenContext } from './context.ts';
export { decide, isAllowed } from './decide.ts';
export { type ParsedJson, parsePolicyJson } from './json.ts';
export type {
  AuthzRequest,
  Context,
  ContextScalar,
  ContextValue,
  Decision,
  Effect,
  MatchedStatement,
  PolicyDocument,
  PolicySource,
  ValidationIssue,
  ValidationLimits,
} from './types.ts';
export { DEFAULT_MAX_CHARS, validatePolicy } from './validate.ts';
