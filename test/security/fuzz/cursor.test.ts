import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../../src/http/index.ts';
import { decodeCursor, encodeCursor } from '../../../src/http/pagination.ts';
import { VARIANTS } from '../../support/databases.ts';
import { createTenantWithAdmin, type TenantFixture } from '../../support/fixtures.ts';
import { startTestApp, type TestApp } from '../../support/test-app.ts';
import { call } from '../attacks/attack-support.ts';

// Cursors are opaque strings clients send back (src/http/pagination.ts): decoding any string yields a
// key of the list's shape or IAM_ERR_INVALID_CURSOR, and no cursor makes a list answer a 5xx.

const RUNS = 300;
const keyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom('2025-01-01T00:00:00.000Z', '0192a3c4-0000-7000-8000-000000000000', 'x'.repeat(300), ''),
);
const cursorText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.base64String({ maxLength: 80 }),
  fc.array(keyValue, { maxLength: 3 }).map((key) => encodeCursor(key as never)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s).toString('base64url')),
);

describe('fuzz: decodeCursor', () => {
  test('any string decodes to a key of the right arity or IAM_ERR_INVALID_CURSOR, nothing else', () => {
    fc.assert(
      fc.property(cursorText, fc.integer({ min: 1, max: 3 }), (cursor, arity) => {
        let key: readonly (string | number)[] | undefined;
        try {
          key = decodeCursor(cursor, arity);
        } catch (error) {
          assert.ok(error instanceof AppError, `unexpected ${String(error)}`);
          assert.equal(error.code, 'IAM_ERR_INVALID_CURSOR');
          return;
        }
        assert.ok(Array.isArray(key) && key.length === arity);
        for (const v of key) {
          assert.ok(
            (typeof v === 'string' && v.length <= 256) || (typeof v === 'number' && Number.isFinite(v)),
          );
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  test('encoded keys decode to themselves', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 256 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), (key) => {
        assert.deepEqual(decodeCursor(encodeCursor(key), key.length), JSON.parse(JSON.stringify(key)));
      }),
      { numRuns: RUNS },
    );
  });
});

for (const variant of VARIANTS) {
  describe(`fuzz: cursors on every list route (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    /** 5xx answers: `known` when the cursor decodes as a well-formed key (the PostgreSQL type finding). */
    const failures: { known: boolean; what: string }[] = [];
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(() => t.close());

    test('random cursors: 200 or a 4xx problem', async () => {
      const lists = [
        '/t/acme/v1/users',
        '/t/acme/v1/users?sort=email',
        '/t/acme/v1/users?sort=-created_at',
        '/t/acme/v1/groups',
        '/t/acme/v1/roles',
        '/t/acme/v1/policies',
        '/t/acme/v1/clients',
        '/t/acme/v1/webhooks',
        `/t/acme/v1/users/${acme.adminId}/groups`,
        '/t/acme/v1/dead-letters',
        '/v1/dead-letters',
        '/v1/tenants',
      ];
      const platform = await t.adminToken();
      const samples = fc.sample(fc.tuple(fc.constantFrom(...lists), cursorText), { numRuns: 150, seed: 42 });
      for (const [list, cursor] of samples) {
        const url = `${list}${list.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
        const res = await call(t, 'GET', url, { token: list.startsWith('/v1') ? platform : acme.adminToken });
        if (res.statusCode >= 500) {
          let wellFormed = false;
          for (const arity of [1, 2]) {
            try {
              decodeCursor(cursor, arity);
              wellFormed = true;
            } catch {}
          }
          failures.push({ known: wellFormed, what: `GET ${url} → ${res.statusCode}` });
          continue;
        }
        assert.ok(
          res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500),
          `${url}: ${res.statusCode}`,
        );
        if (res.statusCode !== 200)
          assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      }
      assert.deepEqual(
        failures.filter((f) => !f.known).map((f) => f.what),
        [],
      );
    });

    test('well-formed cursors holding values of the wrong type: no 5xx', {}, () => {
      assert.deepEqual(
        failures.filter((f) => f.known).map((f) => f.what),
        [],
      );
    });
  });
}
