// Condition operator names (policy-spec §1 grammar, §5 semantics):
//   [ ("ForAnyValue" | "ForAllValues") ":" ] BaseOperator [ "IfExists" ]
// Names are matched exactly as AWS spells them; anything else is a validation
// error (§1 [inference]: "unknown operator, unknown qualifier, Null...IfExists").

type Family = 'string' | 'stringIgnoreCase' | 'like' | 'numeric' | 'date' | 'bool' | 'ip' | 'null';
export type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';
export type Qualifier = 'none' | 'any' | 'all';

interface BaseOperator {
  readonly family: Family;
  readonly comparison: Comparison;
  /** §5: negated operators combine policy values as NOR and match a missing key. */
  readonly negated: boolean;
}

export interface OperatorSpec extends BaseOperator {
  readonly name: string;
  readonly qualifier: Qualifier;
  readonly ifExists: boolean;
}

const op = (family: Family, comparison: Comparison, negated = false): BaseOperator => ({
  family,
  comparison,
  negated,
});

const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map([
  ['StringEquals', op('string', 'eq')],
  ['StringNotEquals', op('string', 'eq', true)],
  ['StringEqualsIgnoreCase', op('stringIgnoreCase', 'eq')],
  ['StringNotEqualsIgnoreCase', op('stringIgnoreCase', 'eq', true)],
  ['StringLike', op('like', 'eq')],
  ['StringNotLike', op('like', 'eq', true)],
  ['NumericEquals', op('numeric', 'eq')],
  ['NumericNotEquals', op('numeric', 'eq', true)],
  ['NumericLessThan', op('numeric', 'lt')],
  ['NumericLessThanEquals', op('numeric', 'lte')],
  ['NumericGreaterThan', op('numeric', 'gt')],
  ['NumericGreaterThanEquals', op('numeric', 'gte')],
  ['DateEquals', op('date', 'eq')],
  ['DateNotEquals', op('date', 'eq', true)],
  ['DateLessThan', op('date', 'lt')],
  ['DateLessThanEquals', op('date', 'lte')],
  ['DateGreaterThan', op('date', 'gt')],
  ['DateGreaterThanEquals', op('date', 'gte')],
  ['Bool', op('bool', 'eq')],
  ['IpAddress', op('ip', 'eq')],
  ['NotIpAddress', op('ip', 'eq', true)],
  ['Null', op('null', 'eq')],
]);

const QUALIFIERS: ReadonlyMap<string, Qualifier> = new Map([
  ['ForAnyValue', 'any'],
  ['ForAllValues', 'all'],
]);

const IF_EXISTS = 'IfExists';

/** The parsed operator, or an error message naming what is wrong with it. */
export function parseOperator(name: string): OperatorSpec | string {
  let rest = name;
  let qualifier: Qualifier = 'none';
  const colon = name.indexOf(':');
  if (colon !== -1) {
    const found = QUALIFIERS.get(name.slice(0, colon));
    if (found === undefined)
      return `unknown set qualifier "${name.slice(0, colon)}" (use ForAnyValue or ForAllValues)`;
    qualifier = found;
    rest = name.slice(colon + 1);
  }
  let base = BASE_OPERATORS.get(rest);
  let ifExists = false;
  if (base === undefined && rest.endsWith(IF_EXISTS)) {
    base = BASE_OPERATORS.get(rest.slice(0, -IF_EXISTS.length));
    ifExists = base !== undefined;
  }
  if (base === undefined) return `unknown condition operator "${name}"`;
  if (base.family === 'null' && ifExists) return 'Null cannot be combined with IfExists';
  // Null tests presence of the key itself; a per-value set qualifier has no meaning for it.
  if (base.family === 'null' && qualifier !== 'none') return 'Null cannot take a set qualifier';
  return { ...base, name, qualifier, ifExists };
}
