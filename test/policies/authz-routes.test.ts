import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_BATCH_CHECKS, MAX_SIMULATED_POLICIES } from '../../src/policies/index.ts';
import { VARIANTS } from '../support/databases.ts';
import {
  createTenantWithAdmin,
  createUser,
  type TenantFixture,
  type UserFixture,
} from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';
import { authzSnapshot, type Caller, caller, insertGroup, statement } from './authz-support.ts';

const pointersOf = (body: Record<string, unknown>) =>
  (body.errors as { pointer: string }[]).map((e) => e.pointer);

for (const variant of VARIANTS) {
  describe(`authorization API (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    let call: Caller;
    let member: UserFixture;
    let guardId: string;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
      call = caller(t, acme);
      // A member of "Ops", whose role grants user:* and whose group carries a Deny on deletes without MFA.
      member = await createUser(t, acme.id);
      const ops = await insertGroup(t, acme.id, 'Ops', [member.id]);
      const role = (await call('POST', '/roles', { name: 'ops', permissions: ['user:*'] })).json();
      assert.equal((await call('PUT', `/groups/${ops}/roles/${role.id}`)).statusCode, 204);
      const guard = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DeleteNeedsMfa',
            Effect: 'Deny',
            Action: '*:delete',
            Resource: '*',
            Condition: { BoolIfExists: { 'subject.mfa': 'false' } },
          },
          {
            Sid: 'OnlyBefore2000',
            Effect: 'Deny',
            Action: 'user:list',
            Resource: '*',
            Condition: { DateGreaterThan: { 'request.time': '2000-01-01T00:00:00Z' } },
          },
        ],
      };
      guardId = (await call('POST', '/policies', { name: 'guard', document: guard })).json().id;
      assert.equal((await call('PUT', `/policies/${guardId}/attachments/group/${ops}`)).statusCode, 204);
    });
    after(() => t.close());

    const check = (body: unknown, as: Caller = call) => as('POST', '/authz/check', body);

    test('check answers allow, explicitDeny and implicitDeny with the statements that decided', async () => {
      const allowed = await check({ subject: member.id, action: 'user:read', resource: 'user/7' });
      assert.equal(allowed.statusCode, 200);
      assert.deepEqual(allowed.json(), {
        decision: 'allow',
        reason: 'allow',
        matched: [{ policy: 'role:ops', statement: '0', effect: 'Allow' }],
      });
      const withoutMfa = await check({
        subject: member.id,
        action: 'user:delete',
        resource: 'user/7',
        context: { subject: { mfa: false } },
      });
      assert.deepEqual(withoutMfa.json(), {
        decision: 'deny',
        reason: 'explicitDeny',
        matched: [{ policy: `policy:${guardId}@1`, statement: 'DeleteNeedsMfa', effect: 'Deny' }],
      });
      const withMfa = await check({
        subject: member.id,
        action: 'user:delete',
        resource: 'user/7',
        context: { subject: { mfa: true } },
      });
      assert.equal(withMfa.json().decision, 'allow');
      assert.deepEqual(
        (await check({ subject: member.id, action: 'group:read', resource: 'group/1' })).json(),
        {
          decision: 'deny',
          reason: 'implicitDeny',
          matched: [],
        },
      );
    });

    test('request.time defaults to now, and a time in the context wins', async () => {
      // Without a time the Deny could not apply (a missing key never matches, policy-spec §5).
      const now = await check({ subject: member.id, action: 'user:list', resource: 'user' });
      assert.deepEqual([now.json().decision, now.json().matched[0]?.statement], ['deny', 'OnlyBefore2000']);
      const past = await check({
        subject: member.id,
        action: 'user:list',
        resource: 'user',
        context: { request: { time: '1999-12-31T23:59:59Z' } },
      });
      assert.equal(past.json().decision, 'allow');
    });

    test('the next check after a change through the API reflects it', async () => {
      const user = await createUser(t, acme.id);
      const ask = async () =>
        (await check({ subject: user.id, action: 'policy:read', resource: 'policy/1' })).json();
      assert.equal((await ask()).decision, 'deny');
      const auditor = ((await call('GET', '/roles')).json().items as { id: string; name: string }[]).find(
        (r) => r.name === 'auditor',
      );
      assert.equal((await call('PUT', `/users/${user.id}/roles/${auditor?.id}`)).statusCode, 204);
      assert.equal((await ask()).decision, 'allow');
      const deny = (
        await call('POST', '/policies', { name: 'no-policy-reads', document: statement('Deny', 'policy:*') })
      ).json();
      assert.equal((await call('PUT', `/policies/${deny.id}/attachments/user/${user.id}`)).statusCode, 204);
      assert.equal((await ask()).reason, 'explicitDeny');
      assert.equal((await call('DELETE', `/policies/${deny.id}`)).statusCode, 204);
      assert.equal((await ask()).decision, 'allow');
    });

    test('an unknown subject is a 404; bad input is a 422 or 400; nothing is stored', async () => {
      const foreign = await createUser(t, globex.id, { roles: ['admin'] });
      const before = await authzSnapshot(t, acme.id);
      for (const subject of [foreign.id, '01900000-0000-7000-8000-000000000000', 'nope']) {
        problemOf(
          await check({ subject, action: 'user:read', resource: 'user/1' }),
          404,
          'IAM_ERR_USER_NOT_FOUND',
        );
      }
      const cases: [unknown, string[]][] = [
        [{ subject: member.id, resource: 'user/1' }, ['/action']],
        [{ subject: member.id, action: '', resource: 'user/1' }, ['/action']],
        [{ subject: member.id, action: 'user:read', resource: 7 }, ['/resource']],
        [{ subject: member.id, action: 'user:read', resource: 'x', context: 'mfa' }, ['/context']],
        [{ subject: member.id, action: 'user:read', resource: 'x', extra: 1 }, ['/extra']],
        [
          {
            subject: member.id,
            action: 'user:read',
            resource: 'x',
            context: { resource: { tags: [{ a: 1 }] } },
          },
          ['/context'],
        ],
        [
          {
            subject: member.id,
            action: 'user:read',
            resource: 'x',
            context: { subject: { ID: 'a', id: 'b' } },
          },
          ['/context'],
        ],
      ];
      for (const [body, pointers] of cases) {
        const problem = problemOf(await check(body), 422, 'IAM_ERR_VALIDATION');
        assert.deepEqual(pointersOf(problem), pointers, JSON.stringify(body));
      }
      problemOf(await call('POST', '/authz/check', '{"subject": '), 400, 'IAM_ERR_MALFORMED_REQUEST');
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
    });

    test('checks need authz:check, and a tenant sees only its own users', async () => {
      const plain = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', plain.email, plain.password);
      problemOf(
        await check({ subject: member.id, action: 'user:read', resource: 'x' }, caller(t, acme, token)),
        403,
        'IAM_ERR_FORBIDDEN',
      );
      problemOf(
        await check({ subject: member.id, action: 'user:read', resource: 'x' }, caller(t, globex)),
        404,
        'IAM_ERR_USER_NOT_FOUND',
      );
    });

    test('a batch answers each check in order; an unknown subject is a per-item error', async () => {
      const res = await call('POST', '/authz/check/batch', {
        checks: [
          { subject: member.id, action: 'user:read', resource: 'user/1' },
          { subject: '01900000-0000-7000-8000-000000000000', action: 'user:read', resource: 'user/1' },
          {
            subject: member.id,
            action: 'user:delete',
            resource: 'user/1',
            context: { subject: { mfa: false } },
          },
          { subject: acme.adminId, action: 'role:create', resource: 'role' },
        ],
      });
      assert.equal(res.statusCode, 200);
      const results = res.json().results;
      assert.deepEqual(
        results.map((r: { decision: string; reason: string; code?: string }) => [
          r.decision,
          r.reason,
          r.code,
        ]),
        [
          ['allow', 'allow', undefined],
          ['deny', 'implicitDeny', 'IAM_ERR_USER_NOT_FOUND'],
          ['deny', 'explicitDeny', undefined],
          ['allow', 'allow', undefined],
        ],
      );
      assert.deepEqual(results[1], {
        decision: 'deny',
        reason: 'implicitDeny',
        matched: [],
        code: 'IAM_ERR_USER_NOT_FOUND',
        error: 'No such user.',
      });

      const one = { subject: member.id, action: 'user:read', resource: 'x' };
      problemOf(await call('POST', '/authz/check/batch', { checks: [] }), 422, 'IAM_ERR_VALIDATION');
      const tooMany = problemOf(
        await call('POST', '/authz/check/batch', { checks: Array(MAX_BATCH_CHECKS + 1).fill(one) }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(pointersOf(tooMany), ['/checks']);
      const badItem = problemOf(
        await call('POST', '/authz/check/batch', {
          checks: [one, { ...one, context: { request: { ip: { v4: true, v6: [{}] } } } }],
        }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(pointersOf(badItem), ['/checks/1/context']);
      const wrongType = problemOf(
        await call('POST', '/authz/check/batch', { checks: [one, { ...one, action: 5 }] }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(pointersOf(wrongType), ['/checks/1/action']);
    });

    test('simulate decides documents as given, explains, and stores nothing', async () => {
      const before = await authzSnapshot(t, acme.id);
      const res = await call('POST', '/authz/simulate', {
        policies: [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a policy variable (policy-spec §4)
          statement('Allow', 'report:*', 'report/${subject.id}/*', { Sid: 'OwnReports' }),
          statement('Deny', 'report:delete', '*', { Sid: 'NoDeletes' }),
        ],
        request: { action: 'report:read', resource: 'report/u1/q3', context: { subject: { id: 'u1' } } },
      });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.deepEqual(
        [body.decision, body.reason, body.matched],
        ['allow', 'allow', [{ policy: '/policies/0', statement: 'OwnReports', effect: 'Allow' }]],
      );
      assert.equal(body.context['subject.id'], 'u1');
      assert.ok(!Number.isNaN(Date.parse(body.context['request.time'])), 'request.time filled in');
      const denied = await call('POST', '/authz/simulate', {
        policies: [
          statement('Allow', 'report:*'),
          statement('Deny', 'report:delete', '*', { Sid: 'NoDeletes' }),
        ],
        request: { action: 'report:delete', resource: 'report/u1/q3' },
      });
      assert.deepEqual(denied.json().matched, [
        { policy: '/policies/1', statement: 'NoDeletes', effect: 'Deny' },
      ]);
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
    });

    test('simulate refuses invalid documents with pointers into /policies and changes nothing', async () => {
      const before = await authzSnapshot(t, acme.id);
      const request = { action: 'a:b', resource: 'x' };
      const invalid = problemOf(
        await call('POST', '/authz/simulate', {
          policies: [
            statement('Allow', 'a:b'),
            statement('Allow', 'a:b', '*', { Condition: { 'ForSomeValues:StringEquals': { k: 'v' } } }),
            { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'a:b' } },
          ],
          request,
        }),
        422,
        'IAM_ERR_POLICY_INVALID',
      );
      assert.deepEqual(pointersOf(invalid), [
        '/policies/1/Statement/0/Condition/ForSomeValues:StringEquals',
        '/policies/2/Statement',
      ]);
      const repeated = problemOf(
        await call(
          'POST',
          '/authz/simulate',
          '{"policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","Resource":"x"}]}],"request":{"action":"a:b","resource":"x"}}',
        ),
        422,
        'IAM_ERR_POLICY_INVALID',
      );
      assert.deepEqual(pointersOf(repeated), ['/policies/0/Statement/0/Resource']);
      const repeatedOutside = problemOf(
        await call('POST', '/authz/simulate', '{"policies":[],"policies":[{"Statement":[]}],"request":{}}'),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(pointersOf(repeatedOutside), ['/policies']);
      problemOf(await call('POST', '/authz/simulate', { policies: [], request }), 422, 'IAM_ERR_VALIDATION');
      problemOf(
        await call('POST', '/authz/simulate', {
          policies: Array(MAX_SIMULATED_POLICIES + 1).fill(statement('Allow', 'a:b')),
          request,
        }),
        422,
        'IAM_ERR_VALIDATION',
      );
      const badContext = problemOf(
        await call('POST', '/authz/simulate', {
          policies: [statement('Allow', 'a:b')],
          request: { ...request, context: { 'subject.id': 'a', subject: { id: 'b' } } },
        }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(pointersOf(badContext), ['/request/context']);
      problemOf(
        await call('POST', '/authz/simulate', {
          policies: [statement('Allow', 'a:b')],
          request: { ...request, who: 1 },
        }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(await call('POST', '/authz/simulate', '{"policies": [}'), 400, 'IAM_ERR_MALFORMED_REQUEST');
      assert.deepEqual(await authzSnapshot(t, acme.id), before);
    });
  });
}
