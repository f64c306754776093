import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { renderConfiguration, renderErrors, renderEvents } from '../../src/docs/render-docs.ts';
import { ERROR_CATALOGUE } from '../../src/http/index.ts';

describe('generated reference pages', () => {
  test('docs/errors.md lists exactly the catalogue', () => {
    const page = readFileSync('docs/errors.md', 'utf8');
    assert.equal(page, renderErrors(), 'run npm run docs:generate');
    const listed = [...page.matchAll(/^\| `(IAM_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(listed, Object.keys(ERROR_CATALOGUE));
  });

  test('docs/configuration.md and docs/events.md are current', () => {
    assert.equal(readFileSync('docs/configuration.md', 'utf8'), renderConfiguration());
    assert.equal(readFileSync('docs/events.md', 'utf8'), renderEvents());
  });

  test('every catalogue code is well-formed and every status is an HTTP error status', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      assert.match(code, /^IAM_ERR_[A-Z_]+$/);
      assert.ok(entry.status >= 400 && entry.status <= 599, code);
      assert.ok(entry.meaning.length > 10 && entry.action.length > 5, code);
    }
  });
});
