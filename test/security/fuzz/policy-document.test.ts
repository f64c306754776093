// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policies use ${...} variable syntax in plain strings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  compilePolicies,
  decide,
  flattenContext,
  parsePolicyJson,
  validatePolicy,
} from '../../../src/policies/engine/index.ts';
import { MAX_DOCUMENT_CHARS } from '../../../src/policies/index.ts';

// Property tests of the parsers that take policy documents from outside (docs/policies.md "Validation and
// limits"): the duplicate-key JSON parser, the validator and the compiler never throw on any input,
// never hang, agree with JSON.parse, and what validates also compiles and decides.

const RUNS = 300;

/** Text that is almost JSON: JSON values with random cuts, insertions and repeated keys. */
const jsonish = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .tuple(
      fc.json({ maxDepth: 3 }),
      fc.nat(),
      fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', '\\u12', '1e999', '-', 'nul'),
    )
    .map(([text, at, insert]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      return `${text.slice(0, i)}${insert}${text.slice(i)}`;
    }),
  fc.nat({ max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.nat({ max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.constant('{"Effect":"Allow","Effect":"Deny","__proto__":{"x":1},"constructor":1}'),
);

const word = fc.constantFrom('user', 'group', 'invoice', '*', '?', '', 'a:b', 'x'.repeat(300));
const operator = fc.constantFrom(
  'StringEquals',
  'StringLike',
  'StringEqualsIgnoreCase',
  'NumericLessThan',
  'DateGreaterThan',
  'Bool',
  'BoolIfExists',
  'IpAddress',
  'NotIpAddress',
  'Null',
  'NullIfExists',
  'ForAnyValue:StringEquals',
  'ForAllValues:StringLike',
  'StringEqualz',
  'ForAnyValue:ForAllValues:StringEquals',
  '',
);
const conditionValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '${subject.id}',
    '${aws:username}',
    '${',
    '${}',
    '${*}${?}${$}',
    "${x, 'd'}",
    '10.0.0.0/8',
    '::/0',
    '300.1.1.1/33',
    '2025-13-45T99:00:00Z',
    '1e400',
    'true',
    'false',
  ),
);
const pattern = fc.oneof(
  word,
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'user/${subject.id}',
    '${subject.tenant}/*',
    '${',
    "invoice/${resource.owner, 'none'}/*",
    'a*b?c**',
    '*'.repeat(200),
  ),
);
const listOr = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { maxLength: 4 }));
const statement = fc.record(
  {
    Sid: fc.oneof(fc.constantFrom('S1', 'S1', 'bad sid'), fc.string({ maxLength: 8 })),
    Effect: fc.constantFrom('Allow', 'Deny', 'allow', 'Maybe', ''),
    Action: listOr(
      fc.oneof(
        fc.constantFrom('user:read', 'user:*', '*', '*:*', 'user:re?d', 'nocolon', ':'),
        fc.string({ maxLength: 20 }),
      ),
    ),
    NotAction: listOr(fc.constantFrom('user:delete', '*')),
    Resource: listOr(pattern),
    NotResource: listOr(pattern),
    Condition: fc.dictionary(
      operator,
      fc.dictionary(
        fc.constantFrom(
          'subject.id',
          'request.ip',
          'subject.mfa',
          'request.time',
          'resource.amount',
          'subject.roles',
          'A.B',
        ),
        listOr(conditionValue),
        { maxKeys: 3 },
      ),
      { maxKeys: 3 },
    ),
    Principal: fc.constant('*'),
    Extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const validCondition = fc.constantFrom<Record<string, unknown>>(
  { StringEquals: { 'subject.id': '${subject.id}' } },
  { StringLike: { 'resource.owner': ['u*', '?x'] } },
  { BoolIfExists: { 'subject.mfa': 'false' } },
  { NumericLessThanEquals: { 'resource.amount': 10000 } },
  { DateLessThan: { 'request.time': '2030-01-01T00:00:00Z' } },
  { NotIpAddress: { 'request.ip': ['10.0.0.0/8', '2001:db8::/32'] } },
  { 'ForAnyValue:StringEquals': { 'subject.roles': ['admin', 'ops'] } },
  { Null: { 'subject.mfa': 'true' } },
);
const validStatement = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  Action: listOr(fc.constantFrom('user:read', 'user:*', '*', '*:read', 'invoice:app?ove', 'report:*')),
  Resource: listOr(
    fc.constantFrom(
      '*',
      'user/*',
      'user/${subject.id}',
      'report/${subject.id}/*',
      '${subject.tenant}/x',
      'a*b?c',
    ),
  ),
  Condition: fc.array(validCondition, { maxLength: 2 }).map((cs) => Object.assign({}, ...cs)),
});
const validPolicy = fc.record({
  Version: fc.constant('2012-10-17'),
  Statement: fc.oneof(validStatement, fc.array(validStatement, { minLength: 1, maxLength: 4 })),
});
/** A valid document with one member replaced by something random. */
const mutatedPolicy = fc
  .tuple(
    validPolicy,
    fc.constantFrom('Version', 'Statement', 'Effect', 'Action', 'Resource', 'Condition', 'Sid', 'NotAction'),
    fc.jsonValue({ maxDepth: 2 }),
  )
  .map(([doc, key, value]) => {
    const copy = structuredClone(doc) as Record<string, unknown>;
    const first = Array.isArray(copy.Statement) ? copy.Statement[0] : copy.Statement;
    if (key === 'Version' || key === 'Statement') copy[key] = value;
    else (first as Record<string, unknown>)[key] = value;
    return copy;
  });
const policyLike = fc.oneof(
  { arbitrary: validPolicy, weight: 3 },
  { arbitrary: mutatedPolicy, weight: 3 },
  {
    arbitrary: fc.record(
      {
        Version: fc.constantFrom('2012-10-17', '2008-10-17', '2012-10-18', 1),
        Id: fc.string({ maxLength: 10 }),
        Statement: fc.oneof(statement, fc.array(statement, { maxLength: 5 })),
        Other: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    ),
    weight: 2,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 1 },
);
const context = fc.dictionary(
  fc.constantFrom('subject', 'request', 'resource', 'Subject', 'x'),
  fc.dictionary(
    fc.constantFrom('id', 'ip', 'mfa', 'time', 'amount', 'roles', 'tenant', 'ID'),
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
      fc.constantFrom('10.1.2.3', '2001:db8::1', '2025-06-01T00:00:00Z', '${subject.id}'),
    ),
    { maxKeys: 4 },
  ),
  { maxKeys: 3 },
);

const isIssue = (i: unknown) =>
  typeof i === 'object' &&
  i !== null &&
  typeof (i as { pointer: unknown }).pointer === 'string' &&
  ((i as { pointer: string }).pointer === '' || (i as { pointer: string }).pointer.startsWith('/')) &&
  typeof (i as { message: unknown }).message === 'string';

describe('fuzz: policy documents', () => {
  test('parsePolicyJson never throws, bounds depth, and agrees with JSON.parse', () => {
    fc.assert(
      fc.property(jsonish, (text) => {
        const parsed = parsePolicyJson(text);
        assert.ok(Array.isArray(parsed.issues) && parsed.issues.every(isIssue));
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(text);
        } catch {
          valid = false;
        }
        if (!valid) assert.ok(parsed.issues.length > 0, 'text JSON.parse refuses must be reported');
        else if (parsed.issues.length === 0) assert.deepEqual(parsed.document, expected);
        if (parsed.document !== undefined && typeof parsed.document === 'object') {
          assert.equal(({} as Record<string, unknown>).x, undefined, 'no prototype pollution');
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('validatePolicy reports issues for any value and never throws; what validates compiles and decides', () => {
    let decided = 0;
    fc.assert(
      fc.property(
        policyLike,
        context,
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 30 }),
        (doc, ctx, action, resource) => {
          const issues = validatePolicy(doc, { maxChars: MAX_DOCUMENT_CHARS });
          assert.ok(Array.isArray(issues) && issues.every(isIssue), JSON.stringify(issues));
          if (issues.length > 0) return;
          const set = compilePolicies([{ id: 'fuzz', document: doc }]);
          let flat: ReturnType<typeof flattenContext>;
          try {
            flat = flattenContext(ctx);
          } catch (error) {
            assert.ok(error instanceof TypeError, String(error));
            return;
          }
          const decision = decide(set, { action, resource, context: flat });
          assert.ok(['allow', 'deny'].includes(decision.decision));
          assert.ok(['allow', 'explicitDeny', 'implicitDeny'].includes(decision.reason));
          if (decision.decision === 'allow') assert.equal(decision.reason, 'allow');
          decided++;
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(decided > 20, `only ${decided} documents validated and were decided`);
  });

  test('documents over the size cap are refused, whatever they hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_DOCUMENT_CHARS + 1, max: 4 * MAX_DOCUMENT_CHARS }), (size) => {
        const doc = {
          Version: '2012-10-17',
          Statement: { Effect: 'Allow', Action: '*', Resource: `a${'x'.repeat(size)}` },
        };
        assert.ok(validatePolicy(doc, { maxChars: MAX_DOCUMENT_CHARS }).length > 0);
      }),
      { numRuns: 20 },
    );
  });

  test('a variable value is matched literally: wildcards in the context never widen a resource', () => {
    const set = compilePolicies([
      {
        id: 'p',
        document: {
          Version: '2012-10-17',
          Statement: { Effect: 'Allow', Action: 'report:read', Resource: 'report/${subject.id}' },
        },
      },
    ]);
    fc.assert(
      fc.property(fc.stringMatching(/^[*?a-z]{0,6}$/), fc.stringMatching(/^[a-z]{1,6}$/), (id, other) => {
        fc.pre(id !== other);
        const decision = decide(set, {
          action: 'report:read',
          resource: `report/${other}`,
          context: { 'subject.id': id },
        });
        assert.equal(decision.decision, 'deny', `subject.id ${id} opened report/${other}`);
      }),
      { numRuns: RUNS },
    );
  });
});
