import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileGlob, matchGlob } from '../../../src/policies/engine/glob.ts';

const matches = (pattern: string, text: string): boolean => matchGlob(compileGlob(pattern), text);

/** Textbook dynamic-programming glob matcher, used only as an oracle. */
function referenceMatch(pattern: string, text: string): boolean {
  let row = Array.from({ length: text.length + 1 }, (_, j) => j === 0);
  for (const p of pattern) {
    const next = Array.from({ length: text.length + 1 }, () => false);
    next[0] = p === '*' && row[0] === true;
    for (let j = 1; j <= text.length; j++) {
      if (p === '*') next[j] = row[j] === true || next[j - 1] === true;
      else next[j] = row[j - 1] === true && (p === '?' || p === text[j - 1]);
    }
    row = next;
  }
  return row[text.length] === true;
}

describe('glob (policy-spec §3)', () => {
  test('a pattern without wildcards matches only the whole string', () => {
    assert.equal(matches('user:create', 'user:create'), true);
    assert.equal(matches('user:create', 'user:createBulk'), false);
    assert.equal(matches('user:create', 'xuser:create'), false);
  });

  test('* matches any sequence including the empty one, and crosses /', () => {
    assert.equal(matches('a*', 'a'), true);
    assert.equal(matches('a*', 'a/b/c'), true);
    assert.equal(matches('*c', 'a/b/c'), true);
    assert.equal(matches('*', ''), true);
    assert.equal(matches('a*b', 'ab'), true);
    assert.equal(matches('a*b', 'a/x/b'), true);
    assert.equal(matches('a*b', 'a/x/bc'), false);
  });

  test('? matches exactly one character', () => {
    assert.equal(matches('a?c', 'abc'), true);
    assert.equal(matches('a?c', 'ac'), false);
    assert.equal(matches('a?c', 'abbc'), false);
    assert.equal(matches('??', 'ab'), true);
    assert.equal(matches('*?', ''), false);
    assert.equal(matches('a*?b*?', 'axbx'), true);
  });

  test('the AWS B/*/test/* examples', () => {
    for (const text of ['B/1/2/test/3/o.jpg', 'B//test/o.jpg', 'B/1/test/']) {
      assert.equal(matches('B/*/test/*', text), true, text);
    }
    for (const text of ['B/test/o.jpg', 'B/1-test/o.jpg', 'B/1/2/test.jpg']) {
      assert.equal(matches('B/*/test/*', text), false, text);
    }
  });

  test('literal pieces keep * and ? literal', () => {
    const glob = compileGlob([
      { text: 'home/', wild: true },
      { text: '*', wild: false },
      { text: '/*', wild: true },
    ]);
    assert.equal(matchGlob(glob, 'home/*/file'), true);
    assert.equal(matchGlob(glob, 'home/alice/file'), false);
  });

  test('agrees with a reference matcher on random patterns', () => {
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 10 });
    const text = fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 14 });
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        assert.equal(matches(p, t), referenceMatch(p, t), `${p} vs ${t}`);
      }),
      { numRuns: 3000 },
    );
  });

  test('agrees with the reference matcher when text is built to match', () => {
    const pieces = fc.array(fc.constantFrom('a', 'b', '*', '?', 'ab'), { maxLength: 8 });
    fc.assert(
      fc.property(
        pieces,
        fc.array(fc.constantFrom('', 'a', 'b', 'ba'), { minLength: 8, maxLength: 8 }),
        (ps, fill) => {
          const p = ps.join('');
          const t = ps
            .map((piece, i) => (piece === '*' ? (fill[i] ?? '') : piece === '?' ? 'b' : piece))
            .join('');
          assert.equal(matches(p, t), true, `${p} vs ${t}`);
          assert.equal(referenceMatch(p, t), true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  // A backtracking matcher needs on the order of C(n, k) steps for these inputs
  // (n = 20,000 characters, k = 40 stars), which never finishes; the linear
  // matcher does a handful of scans. The test has a generous timeout so a
  // regression fails instead of hanging.
  test('stays linear on adversarial *a*a*a... patterns', { timeout: 60_000 }, () => {
    const text = 'a'.repeat(20_000);
    assert.equal(matches(`${'*a'.repeat(40)}b`, text), false);
    assert.equal(matches(`${'*a'.repeat(40)}*b`, text), false);
    assert.equal(matches(`${'*a'.repeat(40)}*b*`, text), false);
    assert.equal(matches(`${'*?a'.repeat(40)}*b*`, text), false);
    assert.equal(matches(`${'*a'.repeat(40)}*`, text), true);
    assert.equal(matches(`${'*a?'.repeat(40)}*a`, text), true);
  });
});
