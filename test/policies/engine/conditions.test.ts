// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policies use ${...} variable syntax in plain strings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Context, compilePolicies, isAllowed } from '../../../src/policies/engine/index.ts';

/** Whether an Allow statement with this Condition block applies (policy-spec §5). */
function holds(condition: Record<string, unknown>, context: Context, version = '2012-10-17'): boolean {
  const document = {
    Version: version,
    Statement: [{ Effect: 'Allow', Action: 'x:y', Resource: '*', Condition: condition }],
  };
  return isAllowed(compilePolicies([{ id: 'p', document }]), { action: 'x:y', resource: 'r', context });
}

const MISSING = Symbol('missing');
type Case = [policyValue: unknown, requestValue: Context[string] | typeof MISSING, expected: boolean];

/** One test per row: operator `op` on key `k`. */
function table(op: string, cases: Case[]): void {
  describe(op, () => {
    for (const [policyValue, requestValue, expected] of cases) {
      const shown = requestValue === MISSING ? 'missing key' : JSON.stringify(requestValue);
      test(`${JSON.stringify(policyValue)} vs ${shown} → ${expected}`, () => {
        const context: Context = requestValue === MISSING ? {} : { k: requestValue };
        assert.equal(holds({ [op]: { k: policyValue } }, context), expected);
      });
    }
  });
}

describe('string operators (policy-spec §5)', () => {
  table('StringEquals', [
    ['abc', 'abc', true],
    ['abc', 'ABC', false],
    [['x', 'abc'], 'abc', true],
    ['a*', 'abc', false],
    ['a*', 'a*', true],
    ['5', 5, true],
    [5, '5', true],
    ['true', true, true],
    ['abc', MISSING, false],
  ]);
  table('StringNotEquals', [
    ['abc', 'abd', true],
    ['abc', 'abc', false],
    [['x', 'abc'], 'abc', false],
    [['x', 'y'], 'abc', true],
    ['abc', MISSING, true],
  ]);
  table('StringEqualsIgnoreCase', [
    ['AbC', 'aBc', true],
    ['abc', 'abd', false],
    ['abc', MISSING, false],
  ]);
  table('StringNotEqualsIgnoreCase', [
    ['AbC', 'aBc', false],
    ['abc', 'abd', true],
    ['abc', MISSING, true],
  ]);
  table('StringLike', [
    ['a*c', 'a/b/c', true],
    ['a?c', 'abc', true],
    ['a?c', 'abbc', false],
    ['A*', 'abc', false],
    [['x*', 'a*'], 'abc', true],
    ['abc', MISSING, false],
  ]);
  table('StringNotLike', [
    ['a*', 'abc', false],
    [['x*', 'y*'], 'abc', true],
    ['a*', MISSING, true],
  ]);
});

describe('numeric operators (policy-spec §5)', () => {
  table('NumericEquals', [
    [10, 10, true],
    ['10', 10, true],
    [10, '10.0', true],
    [1.5, '1.50', true],
    [10, 11, false],
    [10, 'ten', false],
    [10, '1e1', false],
    [10, true, false],
    [10, MISSING, false],
  ]);
  table('NumericNotEquals', [
    [10, 11, true],
    [[10, 11], 11, false],
    [10, 10, false],
    [10, MISSING, true],
    [10, 'ten', true],
  ]);
  table('NumericLessThan', [
    [10, 9, true],
    [10, 10, false],
    ['-1.5', -2, true],
    [10, MISSING, false],
  ]);
  table('NumericLessThanEquals', [
    [10, 10, true],
    [10, 11, false],
    [10, MISSING, false],
  ]);
  table('NumericGreaterThan', [
    [10, 11, true],
    [10, 10, false],
    [10, MISSING, false],
  ]);
  table('NumericGreaterThanEquals', [
    [10, 10, true],
    [10, 9, false],
    [10, MISSING, false],
  ]);
});

describe('date operators (policy-spec §5; epoch values are seconds)', () => {
  const jan1 = '2024-01-01T00:00:00Z';
  const jan1Epoch = 1_704_067_200;
  table('DateEquals', [
    [jan1, jan1, true],
    [jan1, '2024-01-01T01:00:00+01:00', true],
    [jan1, '2023-12-31T19:00:00-05:00', true],
    [jan1, jan1Epoch, true],
    [jan1, String(jan1Epoch), true],
    [jan1Epoch, jan1, true],
    [jan1, '2024-01-01T00:00:00.000Z', true],
    [jan1, '2024-01-01T00:00:00.001Z', false],
    ['2024-01-01T00:00:00.5Z', jan1Epoch + 0.5, true],
    [jan1, jan1Epoch * 1000, false],
    [jan1, 'yesterday', false],
    [jan1, MISSING, false],
  ]);
  table('DateNotEquals', [
    [jan1, '2024-01-02T00:00:00Z', true],
    [jan1, jan1Epoch, false],
    [jan1, MISSING, true],
  ]);
  table('DateLessThan', [
    [jan1, '2023-12-31T23:59:59.999Z', true],
    [jan1, '2024-01-01T00:30:00+01:00', true],
    [jan1, jan1, false],
    [jan1, MISSING, false],
  ]);
  table('DateLessThanEquals', [
    [jan1, jan1, true],
    [jan1, jan1Epoch + 1, false],
    [jan1, MISSING, false],
  ]);
  table('DateGreaterThan', [
    [jan1, '2024-01-01T00:00:00.5Z', true],
    [jan1, jan1, false],
    [jan1, MISSING, false],
  ]);
  table('DateGreaterThanEquals', [
    [jan1, jan1Epoch, true],
    [jan1, jan1Epoch - 1, false],
    [jan1, MISSING, false],
  ]);
});

describe('Bool (policy-spec §5)', () => {
  table('Bool', [
    ['true', true, true],
    [true, true, true],
    ['false', false, true],
    ['FALSE', false, true],
    ['true', 'true', true],
    ['true', false, false],
    ['true', 1, false],
    ['false', MISSING, false],
  ]);

  test('MFA pitfall: Deny on Bool mfa=false does not fire without the key; BoolIfExists does', () => {
    const deny = (operator: string) => ({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { [operator]: { 'subject.mfa': 'false' } } },
      ],
    });
    const request = { action: 'x:y', resource: 'r', context: {} };
    assert.equal(isAllowed(compilePolicies([{ id: 'p', document: deny('Bool') }]), request), true);
    assert.equal(isAllowed(compilePolicies([{ id: 'p', document: deny('BoolIfExists') }]), request), false);
  });
});

describe('IpAddress / NotIpAddress (policy-spec §5)', () => {
  table('IpAddress', [
    ['10.0.0.0/8', '10.1.2.3', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['10.0.0.0/8', '9.255.255.255', false],
    ['192.168.1.7', '192.168.1.7', true],
    ['192.168.1.7', '192.168.1.8', false],
    [['1.1.1.1', '10.0.0.0/8'], '10.9.9.9', true],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['2001:db8::/32', '2001:db8:1::5', true],
    ['2001:db8::/32', '2001:db9::5', false],
    ['2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', true],
    ['::/0', '10.1.2.3', false],
    ['0.0.0.0/0', '::1', false],
    ['10.0.0.0/8', '::ffff:10.0.0.1', false],
    ['::ffff:0:0/96', '::ffff:10.0.0.1', true],
    ['10.0.0.0/8', 'not-an-ip', false],
    ['10.0.0.0/8', '10.1.2.3/8', false],
    ['10.0.0.0/8', MISSING, false],
  ]);
  table('NotIpAddress', [
    ['10.0.0.0/8', '10.1.2.3', false],
    ['10.0.0.0/8', '192.168.0.1', true],
    [['10.0.0.0/8', '192.168.0.0/16'], '192.168.0.1', false],
    ['10.0.0.0/8', '::ffff:10.0.0.1', true],
    ['10.0.0.0/8', 'not-an-ip', true],
    ['10.0.0.0/8', MISSING, true],
  ]);
});

describe('Null (policy-spec §5)', () => {
  table('Null', [
    ['true', MISSING, true],
    ['true', 'x', false],
    [true, MISSING, true],
    ['false', 'x', true],
    ['false', '', true],
    ['false', MISSING, false],
    [['true', 'false'], MISSING, true],
  ]);
});

describe('IfExists (policy-spec §5)', () => {
  table('StringEqualsIfExists', [
    ['a', 'a', true],
    ['a', 'b', false],
    ['a', MISSING, true],
  ]);
  table('NumericLessThanIfExists', [
    [5, 4, true],
    [5, 6, false],
    [5, MISSING, true],
  ]);
  table('ForAnyValue:StringEqualsIfExists', [
    ['a', ['b', 'a'], true],
    ['a', MISSING, true],
  ]);

  test('Deny with a negated IfExists operator still denies when the key is missing', () => {
    const document = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { StringNotEqualsIfExists: { 'resource.tag/team': 'ops' } },
        },
      ],
    };
    const set = compilePolicies([{ id: 'p', document }]);
    assert.equal(isAllowed(set, { action: 'x:y', resource: 'r', context: {} }), false);
    assert.equal(
      isAllowed(set, { action: 'x:y', resource: 'r', context: { 'resource.tag/team': 'ops' } }),
      true,
    );
  });
});

describe('set operators (policy-spec §5)', () => {
  table('ForAnyValue:StringEquals', [
    ['admin', ['dev', 'admin'], true],
    ['admin', ['dev', 'ops'], false],
    [['ops', 'admin'], ['ops'], true],
    ['admin', [], false],
    ['admin', MISSING, false],
    ['admin', 'admin', true],
    ['admin', '', false],
  ]);
  table('ForAllValues:StringEquals', [
    [['dev', 'ops'], ['dev', 'ops'], true],
    [['dev', 'ops'], ['dev', 'admin'], false],
    [['dev'], [], true],
    [['dev'], MISSING, true],
    [['dev'], '', true],
    [['dev'], 'dev', true],
    [['dev'], 'ops', false],
  ]);
  table('ForAnyValue:StringNotEquals', [
    [['a', 'b'], ['a', 'c'], true],
    [['a', 'b'], ['a', 'b'], false],
  ]);
  table('ForAllValues:StringNotEquals', [
    [['a', 'b'], ['c', 'd'], true],
    [['a', 'b'], ['c', 'a'], false],
  ]);
  table('ForAnyValue:NumericGreaterThan', [
    [10, [1, 20], true],
    [10, [1, 2], false],
  ]);
  table('ForAllValues:StringLike', [
    ['team-*', ['team-a', 'team-b'], true],
    ['team-*', ['team-a', 'ops'], false],
  ]);

  test('a plain operator does not match a multivalued key, negated or not', () => {
    assert.equal(
      holds({ StringEquals: { 'subject.roles': 'admin' } }, { 'subject.roles': ['admin'] }),
      false,
    );
    assert.equal(
      holds({ StringNotEquals: { 'subject.roles': 'admin' } }, { 'subject.roles': ['dev'] }),
      false,
    );
    assert.equal(holds({ StringEquals: { 'subject.roles': 'admin' } }, { 'subject.roles': 'admin' }), true);
  });
});

describe('combining conditions (policy-spec §5)', () => {
  test('keys under one operator are ANDed', () => {
    const condition = { StringEquals: { a: '1', b: '2' } };
    assert.equal(holds(condition, { a: '1', b: '2' }), true);
    assert.equal(holds(condition, { a: '1', b: '3' }), false);
  });

  test('operators in one Condition block are ANDed', () => {
    const condition = { StringEquals: { a: '1' }, NumericLessThan: { n: 5 } };
    assert.equal(holds(condition, { a: '1', n: 4 }), true);
    assert.equal(holds(condition, { a: '1', n: 6 }), false);
  });

  test('values for one key are ORed', () => {
    assert.equal(holds({ StringEquals: { a: ['1', '2'] } }, { a: '2' }), true);
    assert.equal(holds({ StringEquals: { a: ['1', '2'] } }, { a: '3' }), false);
  });

  test('condition key names are case-insensitive on both sides', () => {
    assert.equal(holds({ StringEquals: { 'Subject.Id': 'u1' } }, { 'subject.id': 'u1' }), true);
    assert.equal(holds({ StringEquals: { 'subject.id': 'u1' } }, { 'SUBJECT.ID': 'u1' }), true);
    assert.equal(holds({ StringEquals: { 'subject.id': 'u1' } }, { 'SUBJECT.ID': 'u2' }), false);
    assert.equal(holds({ Null: { 'SUBJECT.ID': 'true' } }, { 'subject.id': 'u1' }), false);
    assert.equal(holds({ StringEquals: { 'resource.Été': 'x' } }, { 'RESOURCE.ÉTÉ': 'x' }), true);
    assert.equal(holds({ StringEquals: { 'resource.été': 'x' } }, { 'RESOURCE.ETE': 'x' }), false);
  });

  test('keys inherited from Object.prototype are missing, not present', () => {
    assert.equal(holds({ Null: { constructor: 'true' } }, {}), true);
    assert.equal(holds({ StringLike: { toString: '*' } }, {}), false);
  });
});

describe('policy variables in condition values (policy-spec §4)', () => {
  test('String operators substitute ${key}', () => {
    const condition = { StringEquals: { 'resource.owner': '${subject.id}' } };
    assert.equal(holds(condition, { 'resource.owner': 'u1', 'subject.id': 'u1' }), true);
    assert.equal(holds(condition, { 'resource.owner': 'u1', 'subject.id': 'u2' }), false);
  });

  test('StringEqualsIgnoreCase folds substituted values too', () => {
    const condition = { StringEqualsIgnoreCase: { 'resource.owner': 'user-${subject.id}' } };
    assert.equal(holds(condition, { 'resource.owner': 'USER-Ab', 'subject.id': 'aB' }), true);
    assert.equal(holds(condition, { 'resource.owner': 'USER-Ab', 'subject.id': 'aC' }), false);
  });

  test('variable names are case-insensitive', () => {
    const condition = { StringEquals: { 'resource.owner': 'id-${Subject.ID}' } };
    assert.equal(holds(condition, { 'resource.owner': 'id-u1', 'subject.id': 'u1' }), true);
  });

  test('an unresolved variable: StringEquals/StringLike do not match, negated operators do', () => {
    const context = { 'resource.owner': 'u1' };
    assert.equal(holds({ StringEquals: { 'resource.owner': '${subject.id}' } }, context), false);
    assert.equal(holds({ StringLike: { 'resource.owner': '${subject.id}*' } }, context), false);
    assert.equal(holds({ StringNotEquals: { 'resource.owner': '${subject.id}' } }, context), true);
    assert.equal(holds({ StringNotLike: { 'resource.owner': '${subject.id}*' } }, context), true);
    // An unresolved variable is no value at all, not an empty string.
    assert.equal(holds({ StringEquals: { a: '${subject.id}' } }, { a: '' }), false);
    assert.equal(holds({ StringLike: { a: '${subject.id}*' } }, { a: 'x' }), false);
  });

  test('a default is used only when the key has no value', () => {
    const condition = { StringEquals: { 'resource.team': "${subject.team, 'none'}" } };
    assert.equal(holds(condition, { 'resource.team': 'none' }), true);
    assert.equal(holds(condition, { 'resource.team': 'none', 'subject.team': 'ops' }), false);
    assert.equal(holds(condition, { 'resource.team': 'ops', 'subject.team': 'ops' }), true);
  });

  test('a multivalued key cannot be a variable', () => {
    const condition = { StringEquals: { a: '${subject.roles}' } };
    assert.equal(holds(condition, { a: 'admin', 'subject.roles': ['admin'] }), false);
    assert.equal(
      holds({ StringEquals: { a: "${subject.roles, 'x'}" } }, { a: 'x', 'subject.roles': ['admin'] }),
      true,
    );
  });

  test('substituted values are literal: a subject id of "*" is not a wildcard', () => {
    const condition = { StringLike: { 'resource.owner': '${subject.id}' } };
    assert.equal(holds(condition, { 'resource.owner': 'u1', 'subject.id': '*' }), false);
    assert.equal(holds(condition, { 'resource.owner': '*', 'subject.id': '*' }), true);
    assert.equal(holds({ StringLike: { a: 'x-${subject.id}' } }, { a: 'x-ab', 'subject.id': 'a?' }), false);
  });

  test('${*}, ${?} and ${$} are literal characters', () => {
    assert.equal(holds({ StringLike: { a: 'x${*}' } }, { a: 'x*' }), true);
    assert.equal(holds({ StringLike: { a: 'x${*}' } }, { a: 'xyz' }), false);
    assert.equal(holds({ StringLike: { a: 'x${?}' } }, { a: 'xy' }), false);
    assert.equal(holds({ StringEquals: { a: '${$}{x}' } }, { a: '${x}' }), true);
  });

  test('Bool values may hold variables', () => {
    const condition = { Bool: { 'subject.mfa': '${resource.needsMfa}' } };
    assert.equal(holds(condition, { 'subject.mfa': true, 'resource.needsmfa': 'true' }), true);
    assert.equal(holds(condition, { 'subject.mfa': false, 'resource.needsmfa': true }), false);
    assert.equal(holds(condition, { 'subject.mfa': true }), false);
  });

  test('under Version 2008-10-17 or without Version, ${...} is literal text', () => {
    const condition = { StringEquals: { a: '${subject.id}' } };
    const context = { a: '${subject.id}', 'subject.id': 'u1' };
    assert.equal(holds(condition, context, '2008-10-17'), true);
    assert.equal(holds(condition, { ...context, a: 'u1' }, '2008-10-17'), false);
    assert.equal(holds(condition, { ...context, a: 'u1' }, '2012-10-17'), true);
  });
});
