import type { TestOrIssues, ValueIssue } from './condition-types.ts';
import { parseDate } from './dates.ts';
import { addressInAny, type Cidr, parseCidr } from './ip.ts';
import type { Comparison } from './operators.ts';
import { parseBool, parseNumber } from './scalars.ts';
import type { Context, ContextScalar } from './types.ts';
import { parseTemplate, renderTemplate, type Template } from './variables.ts';

// Numeric, Date, Bool and IpAddress families (policy-spec §5). Policy values
// are parsed once on compile; request values are parsed per evaluation. A
// request value that does not parse matches no policy value [spec inference:
// "an unparsable value never matches"], so the positive operators are false
// and their negations (NOR over the values) are true, as for a missing key.

type TypedFamily = 'numeric' | 'date' | 'bool' | 'ip';

const VARIABLE_HINT = '${';

function compare(comparison: Comparison, actual: number, expected: number): boolean {
  switch (comparison) {
    case 'eq':
      return actual === expected;
    case 'lt':
      return actual < expected;
    case 'lte':
      return actual <= expected;
    case 'gt':
      return actual > expected;
    default:
      return actual >= expected;
  }
}

/** Parses every value with `parse`; §4: variables are not allowed here, so `${` gets a precise message. */
function parseAll<T>(
  raws: readonly ContextScalar[],
  parse: (raw: ContextScalar) => T | undefined,
  what: string,
): { values: T[]; issues: ValueIssue[] } {
  const values: T[] = [];
  const issues: ValueIssue[] = [];
  raws.forEach((raw, index) => {
    const value = parse(raw);
    if (value !== undefined) values.push(value);
    else if (typeof raw === 'string' && raw.includes(VARIABLE_HINT))
      issues.push({ index, message: `policy variables are not allowed in ${what} values` });
    else issues.push({ index, message: `${JSON.stringify(raw)} is not a valid ${what} value` });
  });
  return { values, issues };
}

function orderedTest(
  parse: (raw: ContextScalar) => number | undefined,
  values: number[],
  comparison: Comparison,
) {
  return (value: ContextScalar): boolean => {
    const actual = parse(value);
    if (actual === undefined) return false;
    for (const expected of values) if (compare(comparison, actual, expected)) return true;
    return false;
  };
}

/** §4: Bool values may hold variables (the AWS pages disagree; the spec accepts them). */
function boolTest(raws: readonly ContextScalar[], variables: boolean): TestOrIssues {
  const fixed: boolean[] = [];
  const dynamic: Template[] = [];
  const issues: ValueIssue[] = [];
  raws.forEach((raw, index) => {
    const template = typeof raw === 'string' ? parseTemplate(raw, variables) : undefined;
    if (typeof template === 'string') issues.push({ index, message: template });
    else if (template?.hasVariables) dynamic.push(template);
    else {
      const value = parseBool(raw);
      if (value === undefined)
        issues.push({ index, message: `${JSON.stringify(raw)} is not "true" or "false"` });
      else fixed.push(value);
    }
  });
  if (issues.length > 0) return { issues };
  const test = (value: ContextScalar, context: Context): boolean => {
    const actual = parseBool(value);
    if (actual === undefined) return false;
    if (fixed.includes(actual)) return true;
    for (const template of dynamic) if (parseBool(renderTemplate(template, context)) === actual) return true;
    return false;
  };
  return { test };
}

function ipTest(raws: readonly ContextScalar[]): TestOrIssues {
  const { values, issues } = parseAll(
    raws,
    (raw) => (typeof raw === 'string' ? parseCidr(raw) : undefined),
    'IP',
  );
  if (issues.length > 0) return { issues };
  const blocks: Cidr[] = values;
  return {
    test: (value: ContextScalar): boolean => typeof value === 'string' && addressInAny(value, blocks),
  };
}

export function buildTypedTest(
  family: TypedFamily,
  comparison: Comparison,
  raws: readonly ContextScalar[],
  variables: boolean,
): TestOrIssues {
  if (family === 'bool') return boolTest(raws, variables);
  if (family === 'ip') return ipTest(raws);
  const parse = family === 'numeric' ? parseNumber : parseDate;
  const { values, issues } = parseAll(raws, parse, family === 'numeric' ? 'Numeric' : 'Date');
  if (issues.length > 0) return { issues };
  return { test: orderedTest(parse, values, comparison) };
}
