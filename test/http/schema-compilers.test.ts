import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { lazySerializers } from '../../src/http/serialization.ts';
import { validatorCompiler } from '../../src/http/validation.ts';
import { collectingRoutes } from '../support/route-collector.ts';
import { startTestApp } from '../support/test-app.ts';

const route = { method: 'POST', url: '/things' };
const body = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1 }, count: { type: 'integer', default: 1 } },
  required: ['name'],
  additionalProperties: false,
};

describe('schema compilers, compiled on first use', () => {
  test('a body validator answers as Ajv does, errors included, and takes no coercion', () => {
    const validate = validatorCompiler({ ...route, schema: body, httpPart: 'body' }) as ((
      data: unknown,
    ) => boolean) & { errors?: unknown[] | null };
    const withDefault: Record<string, unknown> = { name: 'a' };
    assert.equal(validate(withDefault), true);
    assert.deepEqual(withDefault, { name: 'a', count: 1 });
    assert.equal(validate.errors, null);
    assert.equal(validate({ name: 'a', extra: true }), false);
    assert.deepEqual(
      (validate.errors as unknown as { keyword: string }[]).map((e) => e.keyword),
      ['additionalProperties'],
    );
    assert.equal(validate({ name: 'a', count: '2' }), false, 'bodies are not coerced');
    assert.equal(validate({ name: 'b' }), true);
    assert.equal(validate.errors, null, 'a later success clears the earlier errors');
  });

  test('query strings are coerced to their declared types', () => {
    const schema = { type: 'object', properties: { limit: { type: 'integer' } } };
    const validate = validatorCompiler({ ...route, schema, httpPart: 'querystring' }) as (
      data: unknown,
    ) => boolean;
    const query: Record<string, unknown> = { limit: '20' };
    assert.equal(validate(query), true);
    assert.deepEqual(query, { limit: 20 });
  });

  test('a broken schema fails on its first use, not when the route is registered', () => {
    const validate = validatorCompiler({ ...route, schema: { type: 'no-such-type' }, httpPart: 'body' }) as (
      data: unknown,
    ) => boolean;
    assert.throws(() => validate({}));
  });

  test('a response serializer writes only the declared members', () => {
    const serializer = lazySerializers(
      undefined,
      {},
    )({
      ...route,
      httpStatus: '200',
      schema: { type: 'object', properties: { id: { type: 'string' } } },
    });
    assert.equal(serializer({ id: 'x', password_hash: 'secret' }), '{"id":"x"}');
    assert.equal(serializer({ id: 'y' }), '{"id":"y"}');
  });

  // Compiling on first use moved a broken schema's failure from start-up to its route's first request:
  // this compiles every route's schemas, as their first requests would, so it fails here instead.
  test("every route's request and response schemas compile", async () => {
    const { started, routes } = await collectingRoutes(() => startTestApp('sqlite'));
    try {
      const compileSerializer = SerializerSelector()(undefined, {});
      const failures: string[] = [];
      let compiled = 0;
      for (const { method, url, schema } of routes) {
        const parts = (schema ?? {}) as Record<string, unknown> & { response?: Record<string, unknown> };
        const where = `${String(method)} ${url}`;
        for (const httpPart of ['body', 'querystring', 'params', 'headers'] as const) {
          if (!parts[httpPart]) continue;
          const validate = validatorCompiler({
            method: String(method),
            url,
            schema: parts[httpPart],
            httpPart,
          });
          try {
            (validate as (data: unknown) => boolean)({});
            compiled++;
          } catch (error) {
            failures.push(`${where} ${httpPart}: ${(error as Error).message}`);
          }
        }
        for (const [httpStatus, response] of Object.entries(parts.response ?? {})) {
          try {
            compileSerializer({ method: String(method), url, httpStatus, schema: response as object });
            compiled++;
          } catch (error) {
            failures.push(`${where} ${httpStatus}: ${(error as Error).message}`);
          }
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(compiled > 200, `compiled only ${compiled} schemas`);
    } finally {
      await started.close();
    }
  });
});
