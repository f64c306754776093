import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePolicyJson, validatePolicy } from '../../../src/policies/engine/index.ts';

describe('parsePolicyJson: duplicate keys (policy-spec §1 "No duplicates")', () => {
  test('a duplicate statement key is reported at its pointer', () => {
    const text =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}';
    const { document, issues } = parsePolicyJson(text);
    assert.deepEqual(issues, [{ pointer: '/Statement/0/Effect', message: 'duplicate key "Effect"' }]);
    // Like JSON.parse, the last value wins, so callers must not accept the document.
    assert.deepEqual(document, JSON.parse(text));
  });

  test('duplicates are found at every level, with escaped pointers', () => {
    const text = `{
      "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"a/b": "1", "a/b": "2"}, "StringEquals": {}}},
      "Statement": []
    }`;
    const { issues } = parsePolicyJson(text);
    assert.deepEqual(
      issues.map((issue) => issue.pointer),
      ['/Statement/Condition/StringEquals/a~1b', '/Statement/Condition/StringEquals', '/Statement'],
    );
  });

  test('keys that differ only in case are not JSON duplicates', () => {
    assert.deepEqual(parsePolicyJson('{"effect":1,"Effect":2}').issues, []);
  });

  test('a document without duplicates parses cleanly and validates', () => {
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    const { document, issues } = parsePolicyJson(text);
    assert.deepEqual(issues, []);
    assert.deepEqual(validatePolicy(document), []);
  });
});

describe('parsePolicyJson: malformed JSON', () => {
  for (const [text, where] of [
    ['{"Statement": [}', '/Statement/0'],
    ['{"a": 1,}', ''],
    ['{"a": 01}', ''],
    ['{"a": "x\\q"}', '/a'],
    ['{"a": "line\nbreak"}', '/a'],
    ['{"a": tru}', '/a'],
    ['{"a": 1} extra', ''],
    ['', ''],
    ['\uFEFF{}', ''],
  ] as const) {
    test(`${JSON.stringify(text)} is one issue at ${JSON.stringify(where)}`, () => {
      const result = parsePolicyJson(text);
      assert.equal(result.document, undefined);
      assert.equal(result.issues.length, 1);
      assert.equal(result.issues[0]?.pointer, where);
      assert.match(result.issues[0]?.message ?? '', /^malformed JSON at line \d+, column \d+: /);
      assert.throws(() => JSON.parse(text));
    });
  }

  test('the position is reported as line and column', () => {
    const { issues } = parsePolicyJson('{\n  "a": 1,\n  "b": ?\n}');
    assert.match(issues[0]?.message ?? '', /line 3, column 8/);
  });

  test('hostile nesting is an issue, not a stack overflow', () => {
    const { issues } = parsePolicyJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    assert.match(issues[0]?.message ?? '', /nesting deeper than 64/);
  });
});

describe('parsePolicyJson: agrees with JSON.parse', () => {
  test('escapes, unicode, numbers and literals', () => {
    const text =
      '{"s":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00","n":[-0,1.5e3,2E-2,0],"l":[true,false,null]}';
    assert.deepEqual(parsePolicyJson(text), { document: JSON.parse(text), issues: [] });
  });

  test('__proto__ is an ordinary key, as with JSON.parse', () => {
    const text = '{"__proto__": {"polluted": true}}';
    const { document } = parsePolicyJson(text);
    assert.deepEqual(document, JSON.parse(text));
    assert.equal(Object.getPrototypeOf(document), Object.prototype);
    assert.ok(Object.hasOwn(document as object, '__proto__'));
  });

  test('random JSON round-trips', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const { document, issues } = parsePolicyJson(text);
        assert.deepEqual(issues, []);
        assert.deepEqual(document, JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});
