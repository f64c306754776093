import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { base64url } from 'jose';
import { VARIANTS } from '../../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../../support/fixtures.ts';
import { login, startTestApp, type TestApp } from '../../support/test-app.ts';

// Bearer tokens from outside (RFC 6750): random strings and mutations of a real access token are a
// 401 problem, never a 5xx and never accepted — unless the mutation decodes to the very same bytes
// (base64url's unused trailing bits), which is the same token.

const RUNS = 200;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

type Mutation = (token: string) => string;

const segmentBytes = (token: string) =>
  token.split('.').map((s) => Buffer.from(s, 'base64url').toString('hex'));
const sameToken = (a: string, b: string) => {
  const [x, y] = [a.split('.'), b.split('.')];
  return x.length === y.length && segmentBytes(a).join('.') === segmentBytes(b).join('.');
};

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...B64)).map(
    ([at, c]): Mutation =>
      (tk) => {
        const i = at % tk.length;
        return `${tk.slice(0, i)}${c}${tk.slice(i + 1)}`;
      },
  ),
  fc.nat().map(
    (at): Mutation =>
      (tk) => {
        const i = at % tk.length;
        return `${tk.slice(0, i)}${tk.slice(i + 1)}`;
      },
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...`${B64}.=+/ `)).map(
    ([at, c]): Mutation =>
      (tk) => {
        const i = at % tk.length;
        return `${tk.slice(0, i)}${c}${tk.slice(i)}`;
      },
  ),
  fc.constant<Mutation>((tk) => tk.split('.').reverse().join('.')),
  fc.constant<Mutation>((tk) => {
    const [h, p] = tk.split('.');
    return `${h}.${p}.${p}`;
  }),
  fc.nat({ max: 90 }).map(
    (n): Mutation =>
      (tk) =>
        tk.slice(0, tk.length - 1 - n),
  ),
  // Header or payload re-encoded with one member changed (an existing claim or a new one), signature kept.
  fc
    .tuple(
      fc.constantFrom(0, 1),
      fc.nat(),
      fc.option(fc.string({ maxLength: 8 })),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map(
      ([part, index, name, value]): Mutation =>
        (tk) => {
          const segments = tk.split('.');
          let decoded: Record<string, unknown> = {};
          try {
            const parsed: unknown = JSON.parse(Buffer.from(segments[part] ?? '', 'base64url').toString());
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
              decoded = parsed as Record<string, unknown>;
          } catch {}
          const keys = Object.keys(decoded);
          const target = name ?? keys[index % Math.max(keys.length, 1)] ?? 'x';
          segments[part] = base64url.encode(JSON.stringify({ ...decoded, [target]: value }));
          return segments.join('.');
        },
    ),
);

const randomToken = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,200}\.[A-Za-z0-9_-]{0,90}$/),
  fc
    .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }))
    .map(
      ([h, p]) =>
        `${base64url.encode(JSON.stringify(h) ?? '')}.${base64url.encode(JSON.stringify(p) ?? '')}.`,
    ),
);

for (const variant of VARIANTS) {
  describe(`fuzz: bearer tokens (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let real: string;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      const ann = await createUser(t, acme.id, { roles: ['user'] });
      real = await login(t.app, 'acme', ann.email, ann.password);
    });
    after(() => t.close());

    const me = (authorization: string) =>
      t.app.inject({ method: 'GET', url: '/t/acme/v1/me', headers: { authorization } });
    const refused = (res: Awaited<ReturnType<typeof me>>, what: string) => {
      assert.equal(res.statusCode, 401, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      assert.equal(res.json().code, 'IAM_ERR_UNAUTHENTICATED');
    };

    test('random strings as bearer tokens are 401', async () => {
      await fc.assert(
        fc.asyncProperty(randomToken, async (token) => refused(await me(`Bearer ${token}`), token)),
        { numRuns: RUNS },
      );
    });

    test('one or two mutations of a real token are 401 unless they decode to the same token', async () => {
      assert.equal((await me(`Bearer ${real}`)).statusCode, 200);
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), async (mutations) => {
          const token = mutations.reduce((tk, m) => m(tk), real);
          if (!/^[\x21-\x7e]*$/.test(token)) return;
          const res = await me(`Bearer ${token}`);
          if (res.statusCode === 200)
            assert.ok(sameToken(token, real), `accepted a different token: ${token}`);
          else refused(res, token);
        }),
        { numRuns: RUNS },
      );
    });

    test('random Authorization headers, and tokens at the OAuth endpoints, are never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 120 }),
          fc.constantFrom('introspect', 'revoke'),
          async (header, endpoint) => {
            const res = await me(header);
            assert.ok(res.statusCode === 401, `${header}: ${res.statusCode}`);
            const oauth = await t.app.inject({
              method: 'POST',
              url: `/t/acme/oauth/${endpoint}`,
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                authorization: `Bearer ${acme.adminToken}`,
              },
              payload: new URLSearchParams({ token: header }).toString(),
            });
            assert.ok(oauth.statusCode < 500, `${endpoint} ${header}: ${oauth.statusCode}`);
            if (endpoint === 'introspect' && oauth.statusCode === 200)
              assert.deepEqual(oauth.json(), { active: false });
          },
        ),
        { numRuns: RUNS / 2 },
      );
    });
  });
}
