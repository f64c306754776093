// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policies use ${...} variable syntax in plain strings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type AuthzRequest,
  type Context,
  compilePolicies,
  type Decision,
  decide,
  isAllowed,
} from '../../../src/policies/engine/index.ts';

// Property tests of the decision algorithm (policy-spec §2) over random
// statements drawn from a small vocabulary, so that statements often overlap.

type Statement = Record<string, unknown>;

const actionPattern = fc.constantFrom(
  '*',
  'user:*',
  '*:read',
  'user:read',
  'USER:Delete',
  'group:?ead',
  '*:delete',
);
const resourcePattern = fc.constantFrom('*', 'user/*', 'user/u1', 'group/*', 'user/${subject.id}', '*/u1');
const condition = fc.constantFrom<Record<string, unknown>>(
  { Bool: { 'subject.mfa': 'false' } },
  { StringEquals: { 'subject.id': 'u1' } },
  { NotIpAddress: { 'request.ip': '10.0.0.0/8' } },
  { 'ForAnyValue:StringEquals': { 'subject.roles': 'admin' } },
  { StringNotEqualsIfExists: { 'resource.owner': '${subject.id}' } },
  { Null: { 'subject.mfa': 'true' } },
);

const statementOf = (effect: fc.Arbitrary<string>): fc.Arbitrary<Statement> =>
  fc
    .record({
      effect,
      notAction: fc.boolean(),
      actions: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
      notResource: fc.boolean(),
      resources: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }),
      conditions: fc.array(condition, { maxLength: 2 }),
    })
    .map((s) => ({
      Effect: s.effect,
      [s.notAction ? 'NotAction' : 'Action']: s.actions,
      [s.notResource ? 'NotResource' : 'Resource']: s.resources,
      ...(s.conditions.length > 0 ? { Condition: Object.assign({}, ...s.conditions) } : {}),
    }));

const anyStatement = statementOf(fc.constantFrom('Allow', 'Deny'));
const allowStatement = statementOf(fc.constant('Allow'));
const denyStatement = statementOf(fc.constant('Deny'));
/** Statements named S0, S1, ... so explanations can be compared across orderings. */
const statements = fc
  .array(anyStatement, { maxLength: 8 })
  .map((list) => list.map((s, i): Statement => ({ Sid: `S${i}`, ...s })));

const context: fc.Arbitrary<Context> = fc.record(
  {
    'subject.id': fc.constantFrom('u1', 'u2', '*'),
    'subject.mfa': fc.boolean(),
    'subject.roles': fc.array(fc.constantFrom('admin', 'dev'), { maxLength: 2 }),
    'request.ip': fc.constantFrom('10.1.2.3', '192.168.0.1', '::1'),
    'resource.owner': fc.constantFrom('u1', 'u2'),
  },
  { requiredKeys: [] },
);
const request: fc.Arbitrary<AuthzRequest> = fc.record({
  action: fc.constantFrom(
    'user:read',
    'User:Read',
    'user:delete',
    'group:read',
    'group:create',
    'report:read',
  ),
  resource: fc.constantFrom('user/u1', 'user/u2', 'group/g', 'user/*'),
  context,
});

const decideWith = (list: Statement[], r: AuthzRequest): Decision =>
  decide(compilePolicies([{ id: 'p', document: { Version: '2012-10-17', Statement: list } }]), r);
const allowedWith = (list: Statement[], r: AuthzRequest): boolean =>
  isAllowed(compilePolicies([{ id: 'p', document: { Version: '2012-10-17', Statement: list } }]), r);
const applies = (s: Statement, r: AuthzRequest): boolean => decideWith([s], r).reason !== 'implicitDeny';
const sids = (d: Decision): string[] => d.matched.map((m) => m.statement).sort();

describe('decision properties (policy-spec §2)', () => {
  test('explicit Deny always wins; otherwise any applicable Allow allows', () => {
    fc.assert(
      fc.property(statements, request, (list, r) => {
        const anyDeny = list.some((s) => s.Effect === 'Deny' && applies(s, r));
        const anyAllow = list.some((s) => s.Effect === 'Allow' && applies(s, r));
        const d = decideWith(list, r);
        const expected = anyDeny ? 'explicitDeny' : anyAllow ? 'allow' : 'implicitDeny';
        assert.equal(d.reason, expected);
        assert.equal(d.decision, expected === 'allow' ? 'allow' : 'deny');
        assert.equal(allowedWith(list, r), expected === 'allow');
      }),
      { numRuns: 400 },
    );
  });

  test('adding an Allow never turns Allow into Deny', () => {
    fc.assert(
      fc.property(statements, allowStatement, request, (list, extra, r) => {
        fc.pre(allowedWith(list, r));
        assert.equal(allowedWith([...list, extra], r), true);
        assert.equal(allowedWith([extra, ...list], r), true);
      }),
      { numRuns: 300 },
    );
  });

  test('adding a Deny never turns Deny into Allow', () => {
    fc.assert(
      fc.property(statements, denyStatement, request, (list, extra, r) => {
        fc.pre(!allowedWith(list, r));
        assert.equal(allowedWith([...list, extra], r), false);
        assert.equal(allowedWith([extra, ...list], r), false);
      }),
      { numRuns: 300 },
    );
  });

  test('statement order never matters, for the decision or its explanation', () => {
    const shuffled = statements.chain((list) =>
      fc.tuple(
        fc.constant(list),
        fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
      ),
    );
    fc.assert(
      fc.property(shuffled, request, ([list, reordered], r) => {
        const a = decideWith(list, r);
        const b = decideWith(reordered, r);
        assert.equal(a.decision, b.decision);
        assert.equal(a.reason, b.reason);
        assert.deepEqual(sids(a), sids(b));
      }),
      { numRuns: 300 },
    );
  });

  test('splitting statements across policies changes nothing', () => {
    fc.assert(
      fc.property(statements, fc.nat(8), request, (list, cut, r) => {
        const one = decideWith(list, r);
        const doc = (part: Statement[]) => ({ Version: '2012-10-17', Statement: part });
        const two = decide(
          compilePolicies([
            { id: 'a', document: doc(list.slice(0, cut)) },
            { id: 'b', document: doc(list.slice(cut)) },
          ]),
          r,
        );
        assert.equal(one.reason, two.reason);
        assert.deepEqual(sids(one), sids(two));
      }),
      { numRuns: 200 },
    );
  });
});
