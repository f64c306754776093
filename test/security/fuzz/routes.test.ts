// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policy variables are plain strings here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { VARIANTS } from '../../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../../support/fixtures.ts';
import { login, startTestApp, type TestApp } from '../../support/test-app.ts';
import { call } from '../attacks/attack-support.ts';

// A bounded fuzz of every operation in docs/openapi.json: for each, a few requests with valid-shaped
// and invalid bodies, path parameters and queries, with and without an administrator's token. No
// answer may be a 5xx. Requests carrying a NUL or a lone surrogate are counted apart on PostgreSQL,
// where they are a known finding (attacks/input-limits.test.ts).

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  examples?: unknown[];
}
interface Operation {
  method: string;
  path: string;
  parameters: { in: string; name: string; schema: Schema; required?: boolean }[];
  body?: { type: string; schema: Schema; examples: unknown[] };
}

const openapi = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'));
const OPERATIONS: Operation[] = Object.entries(
  openapi.paths as Record<string, Record<string, Record<string, unknown>>>,
)
  .flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const content = (
        op.requestBody as {
          content?: Record<string, { schema: Schema; examples?: Record<string, { value: unknown }> }>;
        }
      )?.content;
      const [type, media] = content ? (Object.entries(content)[0] ?? []) : [];
      return {
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters as Operation['parameters']) ?? [],
        ...(type && media
          ? {
              body: {
                type,
                schema: media.schema,
                examples: Object.values(media.examples ?? {}).map((e) => e.value),
              },
            }
          : {}),
      };
    }),
  )
  .filter((op) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method));

const RUNS_PER_OPERATION = 8;

/** Strings with a bias towards what breaks parsers and databases. */
const hostile = fc.constantFrom(
  "' OR '1'='1",
  '%',
  '_',
  '\\',
  '../../',
  '${subject.id}',
  '<script>',
  'a\u0000b',
  'a\ud800b',
  '\u202e',
  '😀',
  ' ',
);
const text = (s: Schema) =>
  fc.oneof(
    {
      arbitrary: fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 24, 24) }),
      weight: 4,
    },
    { arbitrary: hostile, weight: 1 },
  );

/** An arbitrary of values that mostly fit the schema (depth-bounded). */
function fromSchema(s: Schema | undefined, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 4) return fc.jsonValue({ maxDepth: 1 });
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf) return fc.oneof(...s.anyOf.map((x) => fromSchema(x, ids, depth + 1)));
  if (s.allOf) return fromSchema(Object.assign({}, ...s.allOf), ids, depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: s.minimum ?? -5, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'string':
      if (s.format === 'uuid') return fc.oneof(fc.constantFrom(...ids), fc.uuid());
      if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'email') return fc.oneof(fc.emailAddress(), fc.constant('fuzz@acme.test'));
      if (s.pattern) {
        try {
          return fc.oneof(
            fc.stringMatching(new RegExp(s.pattern)).map((v) => v.slice(0, s.maxLength ?? 200)),
            text(s),
          );
        } catch {
          return text(s);
        }
      }
      return text(s);
    case 'array':
      return fc.array(fromSchema(s.items, ids, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, 3),
      });
    default: {
      if (!s.properties)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      const required = new Set(s.required ?? []);
      const entries = Object.entries(s.properties).map(
        ([k, v]) => [k, fromSchema(v, ids, depth + 1)] as const,
      );
      return fc.record(Object.fromEntries(entries), {
        requiredKeys: [...required].filter((k) => k in s.properties!),
      });
    }
  }
}

/** Percent-encodes a path value; a lone surrogate (which has no UTF-8 form) becomes its CESU-8 bytes. */
function encodePathValue(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return `${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}%ED%A0%80`;
  }
}

for (const variant of VARIANTS) {
  describe(`fuzz: every OpenAPI operation (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    const ids: Record<string, string> = {};
    const failures: { known: boolean; what: string }[] = [];
    let count = 0;

    before(async () => {
      t = await startTestApp(variant, { env: { WEBHOOK_ALLOW_INSECURE: 'true' } });
      acme = await createTenantWithAdmin(t, 'acme');
      await createTenantWithAdmin(t, 'globex');
      const make = async (url: string, payload: object) =>
        (await call(t, 'POST', `/t/acme/v1${url}`, { token: acme.adminToken, payload })).json().id as string;
      ids.users = (await createUser(t, acme.id, { roles: ['user'] })).id;
      ids.groups = await make('/groups', { name: 'Fuzzers' });
      ids.roles = await make('/roles', { name: 'fuzz-role', permissions: ['user:read'] });
      ids.policies = await make('/policies', {
        name: 'fuzz-policy',
        document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'a:b', Resource: '*' } },
      });
      ids.clients = await make('/clients', { name: 'fuzz-client', permissions: ['user:read'] });
      ids.webhooks = await make('/webhooks', {
        url: 'http://127.0.0.1:9/hook',
        event_types: ['tenant.deleted'],
      });
      ids.sessions = (
        await call(t, 'GET', '/t/acme/v1/me/sessions', { token: acme.adminToken })
      ).json().items[0].id;
    });
    after(() => t.close());

    /** Tokens some operations end (logout, password change): signs the administrator in again. */
    async function freshTokens() {
      if ((await call(t, 'GET', '/t/acme/v1/me', { token: acme.adminToken })).statusCode !== 200) {
        acme.adminToken = await login(t.app, 'acme', acme.adminEmail, acme.adminPassword);
      }
    }

    /** Path parameters: a real id of the kind the path names, or junk. */
    const paramValue = (path: string, name: string): fc.Arbitrary<string> => {
      const before =
        path
          .slice(0, path.indexOf(`{${name}}`))
          .split('/')
          .filter(Boolean)
          .at(-1) ?? '';
      const real =
        name === 'tenant'
          ? path.startsWith('/v1/tenants')
            ? 'globex'
            : 'acme'
          : name === 'target_type'
            ? 'user'
            : name === 'target_id' || name === 'user_id'
              ? ids.users!
              : name === 'role_id'
                ? ids.roles!
                : name === 'sid'
                  ? ids.sessions!
                  : (ids[before] ?? '00000000-0000-7000-8000-000000000000');
      return fc.oneof(
        { arbitrary: fc.constant(real), weight: 10 },
        { arbitrary: fc.uuid(), weight: 1 },
        { arbitrary: fc.string({ minLength: 1, maxLength: 20 }), weight: 1 },
        { arbitrary: hostile, weight: 1 },
      );
    };

    const order = (op: Operation) =>
      op.method === 'GET'
        ? 0
        : op.method === 'DELETE'
          ? 3
          : /settings|\/v1\/tenants|signing-keys|\/me\b|logout/.test(op.path)
            ? 2
            : 1;

    // Form-encoded: generated values that are not strings go as JSON (some are objects without a
    // prototype, which String() cannot convert).
    const formOf = (values: object) =>
      new URLSearchParams(
        Object.entries(values).map(([k, v]): [string, string] => [
          k,
          typeof v === 'string' ? v : String(JSON.stringify(v)),
        ]),
      ).toString();

    test('no operation answers a 5xx to valid-shaped or invalid input, with or without a token', async () => {
      const platform = await t.adminToken();
      for (const op of [...OPERATIONS].sort((a, b) => order(a) - order(b))) {
        const pathParams = op.parameters.filter((p) => p.in === 'path');
        const queryParams = op.parameters.filter((p) => p.in === 'query');
        const idList = Object.values(ids);
        const request = fc.record({
          params: fc.tuple(...pathParams.map((p) => paramValue(op.path, p.name))),
          query: fc.record(
            Object.fromEntries(
              queryParams.map((p) => [p.name, fc.oneof(fromSchema(p.schema, idList), text({}))]),
            ),
            { requiredKeys: [] },
          ),
          body: op.body
            ? fc.oneof(
                { arbitrary: fromSchema(op.body.schema, idList), weight: 3 },
                {
                  arbitrary: op.body.examples.length ? fc.constantFrom(...op.body.examples) : fc.constant({}),
                  weight: 2,
                },
                { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
              )
            : fc.constant(undefined),
          authed: fc.oneof(
            { arbitrary: fc.constant(true), weight: 3 },
            { arbitrary: fc.constant(false), weight: 1 },
          ),
        });
        for (const r of fc.sample(request, { numRuns: RUNS_PER_OPERATION })) {
          let url = op.path;
          pathParams.forEach((p, i) => {
            url = url.replace(`{${p.name}}`, encodePathValue(String(r.params[i])));
          });
          const query = formOf(r.query);
          if (query) url += `?${query}`;
          const form = op.body?.type === 'application/x-www-form-urlencoded';
          const body =
            r.body === undefined
              ? undefined
              : form && r.body && typeof r.body === 'object'
                ? formOf(r.body)
                : JSON.stringify(r.body);
          const token = url.startsWith('/v1') ? platform : acme.adminToken;
          const res = await t.app.inject({
            method: op.method as 'GET',
            url,
            headers: {
              ...(r.authed ? { authorization: `Bearer ${token}` } : {}),
              ...(body !== undefined
                ? { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }
                : {}),
            },
            ...(body !== undefined ? { payload: body } : {}),
          });
          count++;
          if (res.statusCode >= 500) {
            const sent = `${url} ${body ?? ''}`;
            const known = variant === 'postgres' && /\\u0000|%00|\\ud[89ab][0-9a-f]{2}|%ED%A0/i.test(sent);
            failures.push({
              known,
              what: `${op.method} ${url} ${(body ?? '').slice(0, 200)} → ${res.statusCode}`,
            });
          }
        }
        await freshTokens();
      }
      assert.ok(count >= OPERATIONS.length * RUNS_PER_OPERATION, `${count} requests`);
      assert.deepEqual(
        failures.filter((f) => !f.known).map((f) => f.what),
        [],
      );
    });

    test('requests carrying NUL characters or lone surrogates: no 5xx', {}, () => {
      assert.deepEqual(
        failures.filter((f) => f.known).map((f) => f.what),
        [],
      );
    });
  });
}
