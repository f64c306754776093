// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policies use ${...} variable syntax in plain strings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_MAX_CHARS,
  type ValidationIssue,
  validatePolicy,
} from '../../../src/policies/engine/index.ts';

const ok = { Effect: 'Allow', Action: 'user:read', Resource: '*' };
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const pointers = (issues: ValidationIssue[]): string[] => issues.map((issue) => issue.pointer);

/** Asserts exactly one issue, at `pointer`, whose message matches `message`. */
function expectIssue(document: unknown, pointer: string, message: RegExp): void {
  const issues = validatePolicy(document);
  assert.deepEqual(pointers(issues), [pointer], JSON.stringify(issues));
  assert.match(issues[0]?.message ?? '', message);
}

describe('validatePolicy: document (policy-spec §1)', () => {
  test('a valid document has no issues', () => {
    assert.deepEqual(validatePolicy(doc(ok, { ...ok, Effect: 'Deny', Sid: 'Two' })), []);
    assert.deepEqual(validatePolicy({ Version: '2008-10-17', Statement: ok }), []);
    assert.deepEqual(validatePolicy({ Statement: [ok] }), []);
  });

  test('the policy must be an object', () => {
    for (const value of [null, [], 'x', 42, undefined]) expectIssue(value, '', /JSON object/);
  });

  test('unknown top-level keys are rejected', () => {
    expectIssue({ ...doc(ok), Extra: 1 }, '/Extra', /unknown top-level key/);
  });

  test('Id is accepted and ignored, but must be a string', () => {
    assert.deepEqual(validatePolicy({ ...doc(ok), Id: 'my-policy' }), []);
    expectIssue({ ...doc(ok), Id: 5 }, '/Id', /string/);
  });

  test('Version must be one of the two known versions', () => {
    expectIssue({ ...doc(ok), Version: '2012-10-18' }, '/Version', /2012-10-17/);
  });

  test('Statement is required; a single object is allowed', () => {
    expectIssue({ Version: '2012-10-17' }, '/Statement', /required/);
    expectIssue({ Version: '2012-10-17', Statement: { ...ok, Effect: 'No' } }, '/Statement/Effect', /Allow/);
    expectIssue(doc(ok, 'nope'), '/Statement/1', /object/);
  });
});

describe('validatePolicy: statements (policy-spec §1)', () => {
  test('Principal and NotPrincipal are rejected', () => {
    expectIssue(doc({ ...ok, Principal: '*' }), '/Statement/0/Principal', /identity-based/);
    expectIssue(doc({ ...ok, NotPrincipal: { AWS: 'x' } }), '/Statement/0/NotPrincipal', /identity-based/);
  });

  test('unknown statement keys are rejected', () => {
    expectIssue(doc(ok, { ...ok, Effects: 'Allow' }), '/Statement/1/Effects', /unknown statement key/);
  });

  test('Effect must be Allow or Deny (case-sensitive)', () => {
    expectIssue(doc({ ...ok, Effect: 'allow' }), '/Statement/0/Effect', /"Allow" or "Deny"/);
    const { Effect: _, ...noEffect } = ok;
    expectIssue(doc(noEffect), '/Statement/0/Effect', /"Allow" or "Deny"/);
  });

  test('Sid must be alphanumeric and unique within the policy', () => {
    expectIssue(doc({ ...ok, Sid: 'read-users' }), '/Statement/0/Sid', /alphanumeric/);
    expectIssue(doc({ ...ok, Sid: 'A' }, { ...ok, Sid: 'A' }), '/Statement/1/Sid', /duplicate Sid/);
  });

  test('exactly one of Action / NotAction', () => {
    expectIssue(doc({ ...ok, NotAction: 'x:y' }), '/Statement/0/NotAction', /cannot both/);
    const { Action: _, ...noAction } = ok;
    expectIssue(doc(noAction), '/Statement/0', /exactly one of Action or NotAction/);
  });

  test('exactly one of Resource / NotResource', () => {
    expectIssue(doc({ ...ok, NotResource: 'x' }), '/Statement/0/NotResource', /cannot both/);
    const { Resource: _, ...noResource } = ok;
    expectIssue(doc(noResource), '/Statement/0', /exactly one of Resource or NotResource/);
  });

  test('action lists: strings, non-empty, service:action patterns', () => {
    expectIssue(doc({ ...ok, Action: [] }), '/Statement/0/Action', /non-empty list/);
    expectIssue(doc({ ...ok, Action: ['user:read', 7] }), '/Statement/0/Action/1', /non-empty string/);
    expectIssue(doc({ ...ok, Action: 'userread' }), '/Statement/0/Action', /action pattern/);
    expectIssue(doc({ ...ok, Action: ['a:b', 'a:b:c'] }), '/Statement/0/Action/1', /action pattern/);
    assert.deepEqual(validatePolicy(doc({ ...ok, Action: ['*', '*:read', 'user:*', 'us?r:get*'] })), []);
  });

  test('resource lists: strings, non-empty, well-formed variables under 2012-10-17', () => {
    expectIssue(doc({ ...ok, Resource: '' }), '/Statement/0/Resource', /empty/);
    expectIssue(
      doc({ ...ok, Resource: ['a', 'user/${subject.id'] }),
      '/Statement/0/Resource/1',
      /unterminated/,
    );
    expectIssue(
      doc({ ...ok, Resource: 'user/${subject id}' }),
      '/Statement/0/Resource',
      /malformed policy variable/,
    );
    assert.deepEqual(
      validatePolicy({ Version: '2008-10-17', Statement: { ...ok, Resource: 'user/${x' } }),
      [],
    );
    assert.deepEqual(
      validatePolicy(doc({ ...ok, Resource: ["user/${subject.id, 'none'}/${*}${?}${$}"] })),
      [],
    );
  });

  test('every problem is reported, each with its own pointer', () => {
    const issues = validatePolicy({
      Version: '1',
      Statement: [ok, { Effect: 'Maybe', Action: 'x', Resource: [1] }],
    });
    assert.deepEqual(pointers(issues), [
      '/Version',
      '/Statement/1/Effect',
      '/Statement/1/Action',
      '/Statement/1/Resource/0',
    ]);
  });
});

describe('validatePolicy: conditions (policy-spec §1, §4, §5)', () => {
  const withCondition = (Condition: unknown) => doc(ok, ok, { ...ok, Condition });

  test('an unknown operator is named by its pointer', () => {
    expectIssue(
      withCondition({ StringEqualz: { a: 'b' } }),
      '/Statement/2/Condition/StringEqualz',
      /unknown condition operator/,
    );
  });

  test('an unknown set qualifier is rejected', () => {
    expectIssue(
      withCondition({ 'ForSomeValues:StringEquals': { a: 'b' } }),
      '/Statement/2/Condition/ForSomeValues:StringEquals',
      /unknown set qualifier/,
    );
  });

  test('Null cannot take IfExists or a set qualifier', () => {
    expectIssue(
      withCondition({ NullIfExists: { a: 'true' } }),
      '/Statement/2/Condition/NullIfExists',
      /IfExists/,
    );
    expectIssue(
      withCondition({ 'ForAnyValue:Null': { a: 'true' } }),
      '/Statement/2/Condition/ForAnyValue:Null',
      /set qualifier/,
    );
  });

  test('operators and qualifiers combine as the grammar says', () => {
    const condition = {
      'ForAllValues:StringLikeIfExists': { a: 'x*' },
      'ForAnyValue:NumericGreaterThan': { n: 1 },
      DateLessThanEqualsIfExists: { t: '2024-01-01T00:00:00Z' },
      NotIpAddress: { ip: ['10.0.0.0/8', '2001:db8::/32'] },
      Null: { z: true },
      BoolIfExists: { m: false },
    };
    assert.deepEqual(validatePolicy(withCondition(condition)), []);
  });

  test('Condition and operator blocks must be objects; keys need values', () => {
    expectIssue(withCondition(['x']), '/Statement/2/Condition', /object of operators/);
    expectIssue(withCondition({ StringEquals: 'a' }), '/Statement/2/Condition/StringEquals', /condition key/);
    expectIssue(withCondition({ StringEquals: {} }), '/Statement/2/Condition/StringEquals', /condition key/);
    expectIssue(
      withCondition({ StringEquals: { a: [] } }),
      '/Statement/2/Condition/StringEquals/a',
      /at least one/,
    );
    expectIssue(
      withCondition({ StringEquals: { a: ['x', { y: 1 }] } }),
      '/Statement/2/Condition/StringEquals/a/1',
      /string, number or boolean/,
    );
    expectIssue(
      withCondition({ StringEquals: { a: null } }),
      '/Statement/2/Condition/StringEquals/a',
      /string, number or boolean/,
    );
  });

  test('condition keys are case-insensitive, so two spellings are a duplicate', () => {
    expectIssue(
      withCondition({ StringEquals: { 'subject.id': 'a', 'Subject.Id': 'b' } }),
      '/Statement/2/Condition/StringEquals/Subject.Id',
      /duplicate condition key/,
    );
  });

  test('typed values are parsed on validation', () => {
    const at = '/Statement/2/Condition';
    expectIssue(withCondition({ NumericEquals: { n: ['1', 'one'] } }), `${at}/NumericEquals/n/1`, /Numeric/);
    expectIssue(withCondition({ DateEquals: { t: '2023-02-29T00:00:00Z' } }), `${at}/DateEquals/t`, /Date/);
    expectIssue(withCondition({ IpAddress: { ip: '10.0.0.0/33' } }), `${at}/IpAddress/ip`, /IP/);
    expectIssue(withCondition({ IpAddress: { ip: 10 } }), `${at}/IpAddress/ip`, /IP/);
    expectIssue(withCondition({ Bool: { b: 'yes' } }), `${at}/Bool/b`, /"true" or "false"/);
    expectIssue(withCondition({ Null: { b: 'maybe' } }), `${at}/Null/b`, /Null takes/);
  });

  test('variables are rejected in Numeric, Date and IP values, accepted in String and Bool', () => {
    const at = '/Statement/2/Condition';
    expectIssue(
      withCondition({ NumericEquals: { n: '${subject.n}' } }),
      `${at}/NumericEquals/n`,
      /variables/,
    );
    expectIssue(withCondition({ DateEquals: { t: '${request.time}' } }), `${at}/DateEquals/t`, /variables/);
    expectIssue(withCondition({ IpAddress: { ip: '${request.ip}' } }), `${at}/IpAddress/ip`, /variables/);
    expectIssue(withCondition({ StringEquals: { a: 'x${y' } }), `${at}/StringEquals/a`, /unterminated/);
    const fine = { StringEquals: { a: '${subject.id}' }, Bool: { b: '${subject.mfa}' } };
    assert.deepEqual(validatePolicy(withCondition(fine)), []);
  });
});

describe('validatePolicy: size caps (policy-spec §1)', () => {
  /** A document of exactly `size` characters without whitespace, padded in the Sid. */
  function sized(size: number) {
    const base = { Version: '2012-10-17', Statement: [{ ...ok, Sid: '' }] };
    const padding = size - JSON.stringify(base).length;
    return { Version: '2012-10-17', Statement: [{ ...ok, Sid: 'S'.repeat(padding) }] };
  }

  test('the default cap is 10,240 characters', () => {
    assert.equal(DEFAULT_MAX_CHARS, 10_240);
    assert.deepEqual(validatePolicy(sized(10_240)), []);
    expectIssue(sized(10_241), '', /10241 characters .* limit is 10240/);
  });

  test('whitespace is not counted', () => {
    const spaced = doc({ ...ok, Resource: `user/${' '.repeat(20_000)}x` });
    assert.deepEqual(validatePolicy(spaced), []);
  });

  test('the caps can be configured', () => {
    assert.deepEqual(validatePolicy(sized(500), { maxChars: 500 }), []);
    const issues = validatePolicy(sized(501), { maxChars: 500 });
    assert.deepEqual(pointers(issues), ['']);
    assert.match(issues[0]?.message ?? '', /501 characters .* limit is 500/);
    assert.deepEqual(validatePolicy(sized(10_241), { maxChars: 20_000 }), []);
  });

  test('the statement count can be capped', () => {
    assert.deepEqual(validatePolicy(doc(ok, ok), { maxStatements: 2 }), []);
    const issues = validatePolicy(doc(ok, ok, ok), { maxStatements: 2 });
    assert.deepEqual(pointers(issues), ['/Statement']);
    assert.match(issues[0]?.message ?? '', /3 statements; the limit is 2/);
  });

  test('non-JSON input is an issue, not an exception', () => {
    const cyclic: Record<string, unknown> = { Statement: [ok] };
    cyclic.self = cyclic;
    assert.ok(pointers(validatePolicy(cyclic)).includes(''));
    assert.ok(pointers(validatePolicy({ Statement: [ok], big: 1n })).includes(''));
  });
});
