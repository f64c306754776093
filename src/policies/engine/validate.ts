import { type CompiledCondition, compileCondition } from './conditions.ts';
import { parseOperator } from './operators.ts';
import { type PathSegment, toPointer } from './pointer.ts';
import type { Effect, ValidationIssue, ValidationLimits } from './types.ts';
import { parseTemplate, type Template } from './variables.ts';

// Document validation (policy-spec §1 grammar and "Validation [inference]").
// The same walk produces the parsed statements that compile.ts indexes, so a
// document is checked and parsed by one piece of code ("parse once", §7).

export const DEFAULT_MAX_CHARS = 10_240;
export const VERSION_2012 = '2012-10-17';
const VERSIONS = new Set([VERSION_2012, '2008-10-17']);
const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
// §1: "Principal/NotPrincipal are for resource-based policies only".
const PRINCIPAL_KEYS = new Set(['Principal', 'NotPrincipal']);
// §1: an action is `service:action`, or `*` alone; wildcards may appear on either side.
const ACTION = /^(?:\*|[A-Za-z0-9_.*?-]+:[A-Za-z0-9_.*?-]+)$/;
// §1: "Sid: IAM: alphanumeric only".
const SID = /^[A-Za-z0-9]+$/;

export interface ParsedStatement {
  /** Position in the Statement list (0 when Statement is a single object). */
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly resources: readonly Template[];
  readonly notResource: boolean;
  readonly conditions: readonly CompiledCondition[];
}

interface ParsedPolicy {
  readonly issues: ValidationIssue[];
  readonly statements: ParsedStatement[];
}

type Json = Record<string, unknown>;
type Report = (path: readonly PathSegment[], message: string) => void;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** §1: "not counting whitespace". JSON.stringify emits no whitespace outside strings. */
function charCount(doc: unknown): number | undefined {
  let text: string;
  try {
    text = JSON.stringify(doc) ?? '';
  } catch {
    return undefined; // cycles or BigInt: not a JSON document
  }
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) count++;
  }
  return count;
}

/** `string | [string, ...]` (§1), each non-empty; returns the strings with their paths. */
function stringList(value: unknown, path: readonly PathSegment[], report: Report): [string, PathSegment[]][] {
  if (typeof value === 'string') {
    if (value === '') report(path, 'must not be empty');
    return value === '' ? [] : [[value, [...path]]];
  }
  if (!Array.isArray(value) || value.length === 0) {
    report(path, 'must be a string or a non-empty list of strings');
    return [];
  }
  const out: [string, PathSegment[]][] = [];
  value.forEach((item, index) => {
    if (typeof item !== 'string' || item === '') report([...path, index], 'must be a non-empty string');
    else out.push([item, [...path, index]]);
  });
  return out;
}

/** Exactly one of `name` / `Not<name>` (§1); returns which one and its value. */
function pick(statement: Json, name: string, path: readonly PathSegment[], report: Report) {
  const negatedName = `Not${name}`;
  const has = Object.hasOwn(statement, name);
  const hasNot = Object.hasOwn(statement, negatedName);
  if (has && hasNot) {
    report([...path, negatedName], `${name} and ${negatedName} cannot both be present`);
    return undefined;
  }
  if (!has && !hasNot) {
    report(path, `a statement needs exactly one of ${name} or ${negatedName}`);
    return undefined;
  }
  const key = hasNot ? negatedName : name;
  return { negated: hasNot, key, value: statement[key] };
}

function parseConditions(block: unknown, path: PathSegment[], variables: boolean, report: Report) {
  const conditions: CompiledCondition[] = [];
  if (!isObject(block)) {
    report(path, 'Condition must be an object of operators');
    return conditions;
  }
  for (const [name, keys] of Object.entries(block)) {
    const operatorPath = [...path, name];
    const spec = parseOperator(name);
    if (typeof spec === 'string') {
      report(operatorPath, spec);
      continue;
    }
    if (!isObject(keys) || Object.keys(keys).length === 0) {
      report(operatorPath, 'an operator needs an object with at least one condition key');
      continue;
    }
    const seen = new Set<string>();
    for (const [key, raw] of Object.entries(keys)) {
      const keyPath = [...operatorPath, key];
      // §5: condition key names are case-insensitive, so two spellings are one key twice.
      if (key === '') report(keyPath, 'condition key must not be empty');
      else if (seen.has(key.toLowerCase()))
        report(keyPath, 'duplicate condition key (key names are case-insensitive)');
      seen.add(key.toLowerCase());
      const compiled = compileCondition(spec, key, raw, variables);
      if (!Array.isArray(compiled)) conditions.push(compiled);
      else
        for (const issue of compiled)
          report(issue.index < 0 ? keyPath : [...keyPath, issue.index], issue.message);
    }
  }
  return conditions;
}

function parseStatement(
  statement: unknown,
  index: number,
  path: PathSegment[],
  variables: boolean,
  report: Report,
): ParsedStatement | undefined {
  if (!isObject(statement)) {
    report(path, 'a statement must be an object');
    return undefined;
  }
  for (const key of Object.keys(statement)) {
    if (PRINCIPAL_KEYS.has(key)) report([...path, key], `${key} is not allowed in identity-based policies`);
    else if (!STATEMENT_KEYS.has(key)) report([...path, key], `unknown statement key "${key}"`);
  }
  const { Sid: sid, Effect: effect } = statement;
  if (sid !== undefined && (typeof sid !== 'string' || !SID.test(sid)))
    report([...path, 'Sid'], 'Sid must be alphanumeric');
  if (effect !== 'Allow' && effect !== 'Deny')
    report([...path, 'Effect'], 'Effect must be "Allow" or "Deny"');

  const action = pick(statement, 'Action', path, report);
  const actions: string[] = [];
  for (const [pattern, at] of action ? stringList(action.value, [...path, action.key], report) : []) {
    if (ACTION.test(pattern)) actions.push(pattern);
    else report(at, `"${pattern}" is not an action pattern (service:action, or *)`);
  }
  const resource = pick(statement, 'Resource', path, report);
  const resources: Template[] = [];
  for (const [pattern, at] of resource ? stringList(resource.value, [...path, resource.key], report) : []) {
    const template = parseTemplate(pattern, variables);
    if (typeof template === 'string') report(at, template);
    else resources.push(template);
  }
  const conditions =
    statement.Condition === undefined
      ? []
      : parseConditions(statement.Condition, [...path, 'Condition'], variables, report);
  if (effect !== 'Allow' && effect !== 'Deny') return undefined;
  return {
    index,
    sid: typeof sid === 'string' ? sid : undefined,
    effect,
    actions,
    notAction: action?.negated ?? false,
    resources,
    notResource: resource?.negated ?? false,
    conditions,
  };
}

/** Validates and parses in one walk. Statements are only meaningful when `issues` is empty. */
export function analyzePolicy(doc: unknown, limits: ValidationLimits = {}): ParsedPolicy {
  const issues: ValidationIssue[] = [];
  const statements: ParsedStatement[] = [];
  const report: Report = (path, message) => issues.push({ pointer: toPointer(path), message });
  if (!isObject(doc)) {
    report([], 'a policy must be a JSON object');
    return { issues, statements };
  }
  const maxChars = limits.maxChars ?? DEFAULT_MAX_CHARS;
  if (Number.isFinite(maxChars)) {
    const size = charCount(doc);
    if (size === undefined) report([], 'a policy must be plain JSON data');
    else if (size > maxChars)
      report([], `policy has ${size} characters without whitespace; the limit is ${maxChars}`);
  }
  for (const key of Object.keys(doc))
    if (!TOP_LEVEL_KEYS.has(key)) report([key], `unknown top-level key "${key}"`);
  const { Version: version, Id: id, Statement: body } = doc;
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    report(['Version'], 'Version must be "2012-10-17" or "2008-10-17"');
  }
  // §1: Id is accepted and ignored.
  if (id !== undefined && typeof id !== 'string') report(['Id'], 'Id must be a string');
  // §1: without Version 2012-10-17, `${...}` is literal text.
  const variables = version === VERSION_2012;
  if (body === undefined) {
    report(['Statement'], 'Statement is required');
    return { issues, statements };
  }
  const list = Array.isArray(body) ? body : [body];
  if (limits.maxStatements !== undefined && list.length > limits.maxStatements) {
    report(['Statement'], `policy has ${list.length} statements; the limit is ${limits.maxStatements}`);
  }
  const sids = new Set<string>();
  list.forEach((raw, index) => {
    const path: PathSegment[] = Array.isArray(body) ? ['Statement', index] : ['Statement'];
    const parsed = parseStatement(raw, index, path, variables, report);
    if (parsed === undefined) return;
    // Sids name statements in decisions, so they must be unambiguous within a policy.
    if (parsed.sid !== undefined && sids.has(parsed.sid))
      report([...path, 'Sid'], `duplicate Sid "${parsed.sid}"`);
    if (parsed.sid !== undefined) sids.add(parsed.sid);
    statements.push(parsed);
  });
  return { issues, statements };
}

/** [] when the document is valid (policy-spec §1); otherwise every issue with its JSON pointer. */
export function validatePolicy(doc: unknown, limits?: ValidationLimits): ValidationIssue[] {
  return analyzePolicy(doc, limits).issues;
}
