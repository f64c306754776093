import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { RouteOptions } from 'fastify';
import { OPENAPI_PATH, renderClientSchema, SCHEMA_PATH } from '../../clients/typescript/generate.ts';
import { ERROR_CATALOGUE } from '../../src/http/index.ts';
import { PROBLEM_REF } from '../../src/http/openapi-transform.ts';
import { collectingRoutes } from '../support/route-collector.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

interface Media {
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Response {
  description: string;
  content?: Record<string, Media>;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, Response>;
  'x-permission'?: string;
  'x-restricted'?: string[];
  'x-rate-limit'?: string;
}
interface Document {
  openapi: string;
  tags?: { name: string; description?: string }[];
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
  servers?: unknown;
}

const committed = (): Document => JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Document;
const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const methodsOf = (route: RouteOptions) => (Array.isArray(route.method) ? route.method : [route.method]);
const isHidden = (route: RouteOptions) => (route.schema as { hide?: boolean } | undefined)?.hide === true;
const RATE_LIMIT_EXEMPT = ['/healthz', '/readyz'];

// Hidden on purpose: the document itself, CORS preflights, Swagger UI, and the HTML surfaces (hosted
// pages, admin console) with their static files, which are for browsers, not API clients.
const HOSTED_PAGES = [
  'sign-in',
  'two-factor',
  'account',
  'sign-out',
  'register',
  'forgot-password',
  'reset-password',
  'verify-email',
  'profile',
  'end-session',
  'end-other-sessions',
  'change-password',
  'mfa-setup',
  'mfa-confirm',
  'recovery-codes',
  'mfa-disable',
  'accept-invitation',
  'brand\\.css',
].join('|');
const HIDDEN = new RegExp(
  '^((GET|HEAD) /openapi\\.json|OPTIONS \\*|(GET|HEAD) /docs(/.*)?|(GET|HEAD) /assets/(pages\\.css|captcha\\.js)' +
    `|(GET|HEAD|POST) /t/:tenant/(${HOSTED_PAGES})|(GET|HEAD) /admin(/|/assets/\\*)?)$`,
);

function operations(document: Document): [string, string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(
      ([method, operation]) => [method.toUpperCase(), path, operation] as [string, string, Operation],
    ),
  );
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let live: Document;
  let routes: RouteOptions[] = [];

  before(async () => {
    ({ started: t, routes } = await collectingRoutes(() => startTestApp('sqlite')));
    live = t.app.swagger() as unknown as Document;
  });
  after(() => t.close());

  test('docs/openapi.json is the document the service serves (run npm run docs:generate)', () => {
    const { servers: _ignored, ...served } = live;
    const { servers: _alsoIgnored, ...written } = committed();
    assert.deepEqual(JSON.parse(JSON.stringify(served)), written);
  });

  test('validates as OpenAPI 3.1, and the validator does catch a broken document', async () => {
    const document = committed();
    assert.match(document.openapi, /^3\.1\.\d+$/);
    const result = await new Validator().validate(
      structuredClone(document) as unknown as Record<string, unknown>,
    );
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));

    const broken = structuredClone(document);
    const [, , operation] = operations(broken)[0] as [string, string, Operation];
    (operation as { responses?: unknown }).responses = 'none';
    const refused = await new Validator().validate(broken as unknown as Record<string, unknown>);
    assert.equal(refused.valid, false);
  });

  test('every schema is valid JSON Schema 2020-12 (strict), and every example matches its schema', () => {
    const document = committed();
    const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addKeyword('example'); // OpenAPI's own annotation keyword
    const components = 'urn:gatehouse:components';
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          k === '$ref' && typeof v === 'string'
            ? v.replace('#/components/schemas/', `${components}#/$defs/`)
            : rewrite(v),
        ]),
      );
    };
    ajv.addSchema({ $id: components, $defs: rewrite(document.components.schemas) as object });
    let examples = 0;
    for (const [method, path, operation] of operations(document)) {
      const where = `${method} ${path}`;
      const media: [string, Media][] = [
        ...(operation.parameters ?? []).map(
          (p) => [`${where} parameter ${p.name}`, { schema: p.schema }] as [string, Media],
        ),
        ...Object.entries(operation.requestBody?.content ?? {}).map(
          ([ct, m]) => [`${where} body ${ct}`, m] as [string, Media],
        ),
        ...Object.entries(operation.responses).flatMap(([status, r]) =>
          Object.entries(r.content ?? {}).map(
            ([ct, m]) => [`${where} ${status} ${ct}`, m] as [string, Media],
          ),
        ),
      ];
      for (const [label, { schema, example, examples: named }] of media) {
        assert.ok(schema, `${label}: no schema`);
        let validate: ReturnType<typeof ajv.compile>;
        try {
          validate = ajv.compile(rewrite(schema) as object);
        } catch (error) {
          assert.fail(`${label}: ${(error as Error).message}`);
        }
        const values = [
          ...(example === undefined ? [] : [example]),
          ...Object.values(named ?? {}).map((e) => e.value),
        ];
        for (const value of values) {
          examples++;
          assert.ok(validate(value), `${label}: example does not match: ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    assert.ok(examples >= 10, `only ${examples} examples`);
  });

  test('every registered route is documented, and only the known ones are hidden', () => {
    assert.ok(routes.length > 50, `collected only ${routes.length} routes`);
    const missing: string[] = [];
    const hidden: string[] = [];
    for (const route of routes) {
      for (const method of methodsOf(route)) {
        // Fastify adds a HEAD route for every GET; it answers as the GET does.
        if (method === 'HEAD' && routes.some((r) => r.url === route.url && methodsOf(r).includes('GET')))
          continue;
        const name = `${method} ${route.url}`;
        if (isHidden(route)) hidden.push(name);
        else if (!live.paths[openapiPath(route.url)]?.[method.toLowerCase()]) missing.push(name);
      }
    }
    assert.deepEqual(missing, [], 'routes missing from the document');
    assert.deepEqual(
      hidden.filter((name) => !HIDDEN.test(name)),
      [],
      'only the document, the CORS preflight, Swagger UI and the HTML surfaces may be hidden',
    );
    assert.ok(hidden.includes('GET /openapi.json') && hidden.includes('OPTIONS *'));
    // …and the other way round: the document names no route that does not exist.
    const registered = new Set(routes.flatMap((r) => methodsOf(r).map((m) => `${m} ${openapiPath(r.url)}`)));
    for (const [method, path] of operations(live))
      assert.ok(registered.has(`${method} ${path}`), `${method} ${path}`);
  });

  test('every operation is documented in full: text, tags, parameters, answers, problems, security', () => {
    const declaredTags = new Map((live.tags ?? []).map((tag) => [tag.name, tag.description]));
    const byOperation = new Map(
      routes.flatMap((r) =>
        methodsOf(r).map((m) => [`${m} ${openapiPath(r.url)}`, r] as [string, RouteOptions]),
      ),
    );
    for (const [method, path, operation] of operations(live)) {
      const where = `${method} ${path}`;
      const route = byOperation.get(where);
      assert.ok(route, where);
      const config = (route.config ?? {}) as {
        permission?: string;
        restricted?: string[];
        rateLimit?: string;
      };
      assert.ok(operation.summary && operation.summary.length > 3, `${where}: summary`);
      assert.ok(operation.description && operation.description.length > 10, `${where}: description`);
      assert.ok(operation.tags && operation.tags.length > 0, `${where}: tags`);
      for (const tag of operation.tags)
        assert.ok(declaredTags.get(tag), `${where}: tag ${tag} is not declared with a description`);

      for (const [, name] of path.matchAll(/\{([^}]+)\}/g))
        assert.ok(
          operation.parameters?.some((p) => p.in === 'path' && p.name === name && p.schema),
          `${where}: path parameter ${name}`,
        );

      assert.equal(operation['x-permission'], config.permission, `${where}: x-permission`);
      assert.deepEqual(operation['x-restricted'], config.restricted, `${where}: x-restricted`);
      assert.equal(operation['x-rate-limit'], config.rateLimit, `${where}: x-rate-limit`);

      const statuses = Object.keys(operation.responses);
      assert.ok(
        statuses.some((s) => /^2\d\d$/.test(s)),
        `${where}: no success answer`,
      );
      for (const [status, answer] of Object.entries(operation.responses))
        assert.ok(
          answer.description && answer.description !== 'Default Response',
          `${where} ${status}: description`,
        );

      const oauth = path.startsWith('/t/{tenant}/oauth/');
      const expected = ['500', '503'];
      if (!RATE_LIMIT_EXEMPT.includes(path)) expected.push('429');
      if (path.startsWith('/t/{tenant}/')) expected.push('404');
      if (operation.requestBody) expected.push('413', ...(oauth ? [] : ['400', '415', '422']));
      const bearer = config.permission !== 'public';
      if (bearer) {
        expected.push('401', '403');
        assert.deepEqual(operation.security, [{ bearer: [] }], `${where}: security`);
      } else if (!oauth) {
        assert.deepEqual(operation.security, [], `${where}: public routes say so with security: []`);
      } else {
        assert.ok(Array.isArray(operation.security) && operation.security.length > 0, `${where}: security`);
      }
      for (const status of expected) {
        const answer = operation.responses[status];
        assert.ok(answer, `${where}: no ${status} answer`);
        assert.deepEqual(
          answer.content,
          { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } },
          `${where} ${status}: not a problem`,
        );
      }
      // Each problem answer names the codes it carries, each of them with that status.
      for (const [status, answer] of Object.entries(operation.responses)) {
        if (!answer.content?.['application/problem+json']) continue;
        const codes = [...answer.description.matchAll(/IAM_ERR_[A-Z_]+/g)].map((m) => m[0]);
        if (codes.length === 0) assert.match(answer.description, /docs\/errors\.md/, `${where} ${status}`);
        for (const code of codes) {
          const entry = (ERROR_CATALOGUE as Record<string, { status: number }>)[code];
          assert.equal(entry?.status, Number(status), `${where} ${status}: ${code}`);
        }
      }
    }
  });

  test('every problem code is documented on an operation that can answer it', () => {
    const text = JSON.stringify(live.paths);
    // These answer URLs that no route matches.
    const unrouted = new Set(['IAM_ERR_NOT_FOUND', 'IAM_ERR_METHOD_NOT_ALLOWED']);
    // The jobs API (src/jobs/job-routes.ts) documents its codes once it is registered.
    if (!live.paths['/v1/jobs'])
      for (const code of ['IAM_ERR_JOB_NOT_FOUND', 'IAM_ERR_JOB_RUNNING']) unrouted.add(code);
    const undocumented = Object.keys(ERROR_CATALOGUE).filter(
      (code) => !unrouted.has(code) && !text.includes(code),
    );
    assert.deepEqual(undocumented, []);
  });

  test('the main write routes carry request examples', () => {
    const document = committed();
    const writes = [
      'POST /t/{tenant}/v1/auth/login',
      'POST /t/{tenant}/v1/auth/register',
      'POST /t/{tenant}/v1/auth/mfa/verify',
      'POST /t/{tenant}/oauth/token',
      'POST /v1/tenants',
      'POST /t/{tenant}/v1/users',
      'POST /t/{tenant}/v1/groups',
      'POST /t/{tenant}/v1/roles',
      'POST /t/{tenant}/v1/policies',
      'POST /t/{tenant}/v1/authz/check',
      'POST /t/{tenant}/v1/clients',
      'POST /t/{tenant}/v1/webhooks',
    ];
    for (const name of writes) {
      const [method, path] = name.split(' ') as [string, string];
      const content = document.paths[path]?.[method.toLowerCase()]?.requestBody?.content ?? {};
      const media = Object.values(content)[0];
      assert.ok(media && (media.example !== undefined || media.examples), `${name}: no request example`);
    }
  });

  test('the typed client is generated from the committed document (run npm run docs:generate)', async () => {
    const expected = await renderClientSchema(readFileSync(OPENAPI_PATH, 'utf8'));
    assert.equal(readFileSync(SCHEMA_PATH, 'utf8'), expected);
  });
});
