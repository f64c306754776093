import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toJson, uuidv7 } from '../../src/db/index.ts';
import { MAX_POLICIES_PER_TENANT } from '../../src/policies/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, type TenantFixture } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';
import {
  authzInvalidations,
  authzSnapshot,
  type Caller,
  caller,
  eventsOf,
  statement,
} from './authz-support.ts';

const pointersOf = (body: Record<string, unknown>) =>
  (body.errors as { pointer: string }[]).map((e) => e.pointer);

for (const variant of VARIANTS) {
  describe(`policies (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    let call: Caller;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
      call = caller(t, acme);
    });
    after(() => t.close());

    const create = async (name: string, document: unknown = statement('Allow', 'user:read')) => {
      const res = await call('POST', '/policies', { name, document });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };

    test('a policy is created as version 1 and every change saves a new version', async () => {
      const v1 = statement('Allow', 'invoice:read', 'invoice/*');
      const created = await call('POST', '/policies', {
        name: 'Invoices',
        description: 'Read',
        document: v1,
      });
      assert.equal(created.statusCode, 201);
      const policy = created.json();
      assert.equal(created.headers.location, `/t/acme/v1/policies/${policy.id}`);
      assert.equal(created.headers.etag, `"${policy.id}.1"`);
      assert.deepEqual(
        [policy.name, policy.description, policy.version, policy.current_version, policy.document],
        ['Invoices', 'Read', 1, 1, v1],
      );
      assert.deepEqual((await eventsOf(t, acme.id, 'policy.created')).at(-1), {
        tenant_id: acme.id,
        policy_id: policy.id,
        name: 'Invoices',
        version: 1,
        actor_id: acme.adminId,
      });
      const invalidations = (await authzInvalidations(t, acme.id)).length;

      const v2 = statement('Deny', 'invoice:delete');
      const updated = await call('PATCH', `/policies/${policy.id}`, { document: v2 });
      assert.equal(updated.statusCode, 200);
      assert.deepEqual([updated.json().version, updated.json().document], [2, v2]);
      assert.equal(updated.headers.etag, `"${policy.id}.2"`);
      const renamed = await call('PATCH', `/policies/${policy.id}`, { description: 'Guard rails' });
      assert.deepEqual([renamed.json().version, renamed.json().description], [3, 'Guard rails']);
      assert.deepEqual(
        (await eventsOf(t, acme.id, 'policy.updated')).map((e) => e.version),
        [2, 3],
      );
      assert.deepEqual((await authzInvalidations(t, acme.id)).slice(invalidations), ['*', '*']);

      const current = await call('GET', `/policies/${policy.id}`);
      assert.deepEqual([current.json().version, current.json().document], [3, v2]);
      const first = await call('GET', `/policies/${policy.id}?version=1`);
      assert.deepEqual(
        [first.json().version, first.json().current_version, first.json().document],
        [1, 3, v1],
      );
      const missing = problemOf(
        await call('GET', `/policies/${policy.id}?version=9`),
        404,
        'IAM_ERR_POLICY_NOT_FOUND',
      );
      assert.match(String(missing.detail), /no version 9/);

      const history = await call('GET', `/policies/${policy.id}/versions?limit=2`);
      const page = history.json();
      assert.deepEqual(
        page.items.map((v: { version: number; created_by: string }) => [v.version, v.created_by]),
        [
          [3, acme.adminId],
          [2, acme.adminId],
        ],
      );
      assert.match(String(history.headers.link), /rel="next"/);
      const rest = (
        await call('GET', `/policies/${policy.id}/versions?limit=2&cursor=${page.next_cursor}`)
      ).json();
      assert.deepEqual(
        [rest.items.map((v: { version: number }) => v.version), rest.next_cursor],
        [[1], null],
      );
      assert.deepEqual(rest.items[0].document, v1);
    });

    test('a change to nothing writes nothing; If-Match guards against lost updates', async () => {
      const policy = await create('Stable', statement('Allow', 'a:b'));
      const before = await authzSnapshot(t, acme.id);
      const same = await call('PATCH', `/policies/${policy.id}`, {
        name: 'Stable',
        document: statement('Allow', 'a:b'),
      });
      assert.equal(same.json().version, 1);
      assert.deepEqual(await authzSnapshot(t, acme.id), before);

      problemOf(
        await call(
          'PATCH',
          `/policies/${policy.id}`,
          { description: 'x' },
          { 'if-match': `"${policy.id}.7"` },
        ),
        412,
        'IAM_ERR_PRECONDITION_FAILED',
      );
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
      const ok = await call(
        'PATCH',
        `/policies/${policy.id}`,
        { description: 'x' },
        { 'if-match': `"${policy.id}.1"` },
      );
      assert.equal(ok.json().version, 2);
    });

    test('names are unique in the tenant', async () => {
      await create('Taken');
      const other = await create('Other');
      const before = await authzSnapshot(t, acme.id);
      problemOf(
        await call('POST', '/policies', { name: 'Taken', document: statement('Allow', 'a:b') }),
        409,
        'IAM_ERR_POLICY_NAME_TAKEN',
      );
      problemOf(
        await call('PATCH', `/policies/${other.id}`, { name: 'Taken' }),
        409,
        'IAM_ERR_POLICY_NAME_TAKEN',
      );
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
      assert.equal(
        (await caller(t, globex)('POST', '/policies', { name: 'Taken', document: statement('Allow', 'a:b') }))
          .statusCode,
        201,
      );
    });

    test('the list is keyset-paginated, oldest first', async () => {
      const names = ['List-1', 'List-2', 'List-3'];
      for (const name of names) await create(name);
      const seen: string[] = [];
      let url = '/policies?limit=2';
      for (let i = 0; i < 100 && url; i++) {
        const page = (await call('GET', url)).json();
        seen.push(...page.items.map((p: { name: string }) => p.name));
        url = page.next_cursor ? `/policies?limit=2&cursor=${page.next_cursor}` : '';
      }
      assert.deepEqual(seen.slice(-3), names);
      assert.equal(seen.length, (await authzSnapshot(t, acme.id)).policies);
      const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
      problemOf(await call('GET', `/policies?cursor=${forged}`), 400, 'IAM_ERR_INVALID_CURSOR');
      const policy = await create('Versions-cursor');
      const badVersion = Buffer.from(JSON.stringify(['1'])).toString('base64url');
      problemOf(
        await call('GET', `/policies/${policy.id}/versions?cursor=${badVersion}`),
        400,
        'IAM_ERR_INVALID_CURSOR',
      );
    });

    test('deleting a policy deletes its versions and attachments', async () => {
      const policy = await create('Short-lived');
      await call('PATCH', `/policies/${policy.id}`, { description: 'v2' });
      assert.equal(
        (await call('PUT', `/policies/${policy.id}/attachments/user/${acme.adminId}`)).statusCode,
        204,
      );
      const before = await authzSnapshot(t, acme.id);
      const invalidations = (await authzInvalidations(t, acme.id)).length;
      assert.equal((await call('DELETE', `/policies/${policy.id}`)).statusCode, 204);
      const after = await authzSnapshot(t, acme.id);
      assert.deepEqual(
        [after.policies, after.policy_versions, after.policy_attachments],
        [
          (before.policies as number) - 1,
          (before.policy_versions as number) - 2,
          (before.policy_attachments as number) - 1,
        ],
      );
      assert.deepEqual((await eventsOf(t, acme.id, 'policy.deleted')).at(-1), {
        tenant_id: acme.id,
        policy_id: policy.id,
        name: 'Short-lived',
        actor_id: acme.adminId,
      });
      assert.deepEqual((await authzInvalidations(t, acme.id)).slice(invalidations), ['*']);
      problemOf(await call('GET', `/policies/${policy.id}`), 404, 'IAM_ERR_POLICY_NOT_FOUND');
      problemOf(await call('DELETE', `/policies/${policy.id}`), 404, 'IAM_ERR_POLICY_NOT_FOUND');
    });

    test('invalid documents are 422s naming each element by pointer, and change nothing', async () => {
      const target = await create('Target');
      const before = await authzSnapshot(t, acme.id);
      const invalid = async (document: unknown, expected: string[], method: 'POST' | 'PATCH' = 'POST') => {
        const res =
          method === 'POST'
            ? await call('POST', '/policies', { name: 'Bad', document })
            : await call('PATCH', `/policies/${target.id}`, { document });
        const body = problemOf(res, 422, 'IAM_ERR_POLICY_INVALID');
        assert.deepEqual(pointersOf(body), expected, JSON.stringify(document));
        return body;
      };
      const unknownOperator = await invalid(
        statement('Allow', 'a:b', '*', { Condition: { StringEqualz: { 'subject.id': 'u1' } } }),
        ['/document/Statement/0/Condition/StringEqualz'],
      );
      assert.match(JSON.stringify(unknownOperator.errors), /unknown condition operator/);
      await invalid(statement('Allow', 'a:b', '*', { NotAction: 'c:d' }), [
        '/document/Statement/0/NotAction',
      ]);
      await invalid(statement('Allow', 'a:b', '*', { Principal: '*' }), ['/document/Statement/0/Principal']);
      await invalid(
        statement('Allow', 'a:b', '*', { Condition: { NullIfExists: { 'subject.mfa': 'true' } } }),
        ['/document/Statement/0/Condition/NullIfExists'],
      );
      await invalid(
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'a:b', Resource: '*' },
            { Effect: 'Permit', Action: ['a:b', 'no-colon'], Resource: '*' },
          ],
        },
        ['/document/Statement/1/Effect', '/document/Statement/1/Action/1'],
      );
      await invalid('Allow everything', ['/document']);
      await invalid({ Version: '2012-10-17' }, ['/document/Statement']);
      await invalid({ ...statement('Allow', 'a:b'), Version: '2020-01-01' }, ['/document/Version']);
      const big = statement(
        'Allow',
        Array.from({ length: 1200 }, (_, i) => `service:action${i}`),
      );
      assert.match(JSON.stringify((await invalid(big, ['/document'])).errors), /limit is 10240/);
      await invalid(
        statement('Deny', 'a:b', '*', { Condition: { Bool: {} } }),
        ['/document/Statement/0/Condition/Bool'],
        'PATCH',
      );
      // Repeated keys, which JSON.parse would silently collapse (policy-spec §1).
      const repeated = problemOf(
        await call(
          'POST',
          '/policies',
          '{"name":"Dup","document":{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Action":"a:b","Resource":"*"}]}}',
        ),
        422,
        'IAM_ERR_POLICY_INVALID',
      );
      assert.deepEqual(repeated.errors, [
        { pointer: '/document/Statement/0/Effect', message: 'duplicate key "Effect"', in: 'body' },
      ]);
      problemOf(
        await call(
          'PATCH',
          `/policies/${target.id}`,
          '{"document":{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}}',
        ),
        422,
        'IAM_ERR_POLICY_INVALID',
      );
      const outside = problemOf(
        await call('POST', '/policies', '{"name":"A","name":"B","document":{"Statement":[]}}'),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(pointersOf(outside), ['/name']);
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
    });

    test('malformed bodies, wrong types, unknown fields and foreign ids change nothing', async () => {
      const target = await create('Target-2');
      const foreign = (
        await caller(t, globex)('POST', '/policies', { name: 'Foreign', document: statement('Allow', 'a:b') })
      ).json();
      const before = await authzSnapshot(t, acme.id);
      problemOf(
        await call('POST', '/policies', '{"name": "x", "document": '),
        400,
        'IAM_ERR_MALFORMED_REQUEST',
      );
      problemOf(await call('POST', '/policies', ''), 400, 'IAM_ERR_MALFORMED_REQUEST');
      problemOf(
        await call('PATCH', `/policies/${target.id}`, '{"name": }'),
        400,
        'IAM_ERR_MALFORMED_REQUEST',
      );
      const cases: [unknown, string][] = [
        [{ name: 'No-document' }, '/document'],
        [{ document: statement('Allow', 'a:b') }, '/name'],
        [{ name: 42, document: statement('Allow', 'a:b') }, '/name'],
        [{ name: 'has space', document: statement('Allow', 'a:b') }, '/name'],
        [{ name: 'Ok', description: ['x'], document: statement('Allow', 'a:b') }, '/description'],
        [{ name: 'Ok', document: statement('Allow', 'a:b'), version: 3 }, '/version'],
      ];
      for (const [payload, pointer] of cases) {
        const body = problemOf(await call('POST', '/policies', payload), 422, 'IAM_ERR_VALIDATION');
        assert.deepEqual(pointersOf(body), [pointer], JSON.stringify(payload));
      }
      problemOf(await call('PATCH', `/policies/${target.id}`, {}), 422, 'IAM_ERR_VALIDATION');
      problemOf(await call('PATCH', `/policies/${target.id}`, { owner: 'me' }), 422, 'IAM_ERR_VALIDATION');
      problemOf(await call('GET', `/policies/${target.id}?version=0`), 422, 'IAM_ERR_VALIDATION');
      problemOf(await call('GET', `/policies/${target.id}?version=two`), 422, 'IAM_ERR_VALIDATION');
      for (const id of [foreign.id, '01900000-0000-7000-8000-000000000000', 'not-an-id']) {
        problemOf(await call('GET', `/policies/${id}`), 404, 'IAM_ERR_POLICY_NOT_FOUND');
        problemOf(await call('GET', `/policies/${id}/versions`), 404, 'IAM_ERR_POLICY_NOT_FOUND');
        problemOf(
          await call('PATCH', `/policies/${id}`, { description: 'x' }),
          404,
          'IAM_ERR_POLICY_NOT_FOUND',
        );
        problemOf(await call('DELETE', `/policies/${id}`), 404, 'IAM_ERR_POLICY_NOT_FOUND');
      }
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
    });

    test(`a tenant holds at most ${MAX_POLICIES_PER_TENANT} policies`, async () => {
      const tenant = await createTenantWithAdmin(t, 'capped');
      const now = new Date().toISOString();
      const rows = Array.from({ length: MAX_POLICIES_PER_TENANT - 1 }, (_, i) => ({
        tenant_id: tenant.id,
        id: uuidv7(),
        name: `bulk-${i}`,
        description: '',
        version: 1,
        document: toJson(statement('Allow', 'a:b')),
        created_at: now,
        updated_at: now,
      }));
      await t.database.withTenant(tenant.id, async (trx) => {
        for (let i = 0; i < rows.length; i += 200)
          await trx
            .insertInto('policies')
            .values(rows.slice(i, i + 200))
            .execute();
      });
      const capped = caller(t, tenant);
      assert.equal(
        (await capped('POST', '/policies', { name: 'Last', document: statement('Allow', 'a:b') })).statusCode,
        201,
      );
      const before = await authzSnapshot(t, tenant.id);
      const refused = problemOf(
        await capped('POST', '/policies', { name: 'One-too-many', document: statement('Allow', 'a:b') }),
        422,
        'IAM_ERR_POLICY_LIMIT',
      );
      assert.match(String(refused.detail), /at most 1000 policies/);
      assert.deepEqual(await authzSnapshot(t, tenant.id), before);
    });
  });
}
