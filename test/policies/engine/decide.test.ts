// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policies use ${...} variable syntax in plain strings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AuthzRequest,
  type CompiledPolicySet,
  type Context,
  combinePolicies,
  compilePolicies,
  compilePolicy,
  decide,
  flattenContext,
  isAllowed,
  PolicyValidationError,
  rolePolicy,
} from '../../../src/policies/engine/index.ts';

const V2012 = '2012-10-17';
/** `Version: null` leaves the Version element out. */
const policy = (id: string, Statement: unknown[], Version: string | null = V2012) => ({
  id,
  document: Version === null ? { Statement } : { Version, Statement },
});
const setOf = (statements: unknown[], version: string | null = V2012): CompiledPolicySet =>
  compilePolicies([policy('p', statements, version)]);
const request = (action: string, resource = 'r', context: Context = {}): AuthzRequest => ({
  action,
  resource,
  context,
});
const allowed = (set: CompiledPolicySet, action: string, resource = 'r', context: Context = {}): boolean => {
  const fast = isAllowed(set, request(action, resource, context));
  // The two result shapes share one implementation; they must always agree.
  assert.equal(decide(set, request(action, resource, context)).decision === 'allow', fast);
  return fast;
};

describe('decision algorithm (policy-spec §2)', () => {
  test('requests are denied by default (implicit deny)', () => {
    const d = decide(setOf([]), request('user:read'));
    assert.deepEqual(d, { decision: 'deny', reason: 'implicitDeny', matched: [] });
  });

  test('an applicable Allow allows and names the statement (Sid, else index)', () => {
    const set = compilePolicies([
      policy('policy:a@v1', [
        { Effect: 'Allow', Action: 'user:list', Resource: '*' },
        { Sid: 'ReadUsers', Effect: 'Allow', Action: 'user:read', Resource: '*' },
        { Effect: 'Allow', Action: 'user:*', Resource: '*' },
      ]),
    ]);
    assert.deepEqual(decide(set, request('user:read')), {
      decision: 'allow',
      reason: 'allow',
      matched: [
        { policy: 'policy:a@v1', statement: 'ReadUsers', effect: 'Allow' },
        { policy: 'policy:a@v1', statement: '2', effect: 'Allow' },
      ],
    });
  });

  test('an explicit Deny in any policy overrides every Allow, and only Denies are reported', () => {
    const set = compilePolicies([
      policy('allow', [{ Effect: 'Allow', Action: '*', Resource: '*' }]),
      policy('deny', [{ Sid: 'NoDelete', Effect: 'Deny', Action: '*:delete', Resource: '*' }]),
    ]);
    assert.deepEqual(decide(set, request('user:delete')), {
      decision: 'deny',
      reason: 'explicitDeny',
      matched: [{ policy: 'deny', statement: 'NoDelete', effect: 'Deny' }],
    });
    assert.equal(allowed(set, 'user:read'), true);
  });

  test('a Deny that applies without any Allow is still reported as explicitDeny', () => {
    const set = setOf([{ Effect: 'Deny', Action: '*', Resource: '*' }]);
    assert.equal(decide(set, request('user:read')).reason, 'explicitDeny');
    assert.equal(isAllowed(set, request('user:read')), false);
  });

  test('a Deny whose condition does not hold does not deny', () => {
    const set = setOf([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'subject.mfa': 'false' } } },
    ]);
    assert.equal(allowed(set, 'user:read', 'r', { 'subject.mfa': true }), true);
    assert.equal(allowed(set, 'user:read', 'r', { 'subject.mfa': false }), false);
  });
});

describe('action matching (policy-spec §3)', () => {
  const set = setOf([
    { Effect: 'Allow', Action: ['User:Create', 'group:*', 'report:get?', '*:list'], Resource: '*' },
  ]);

  test('actions match case-insensitively, in pattern and request', () => {
    assert.equal(allowed(set, 'user:create'), true);
    assert.equal(allowed(set, 'USER:CREATE'), true);
    assert.equal(allowed(set, 'Group:Delete'), true);
  });

  test('a pattern without wildcards matches that action only', () => {
    assert.equal(allowed(set, 'user:createBulk'), false);
    assert.equal(allowed(set, 'user:creat'), false);
  });

  test('* and ? in actions', () => {
    assert.equal(allowed(set, 'report:getx'), true);
    assert.equal(allowed(set, 'report:get'), false);
    assert.equal(allowed(set, 'invoice:list'), true);
    assert.equal(allowed(set, 'invoice:listAll'), false);
    assert.equal(allowed(setOf([{ Effect: 'Allow', Action: '*', Resource: '*' }]), 'any:thing'), true);
  });

  test('actions never take variables', () => {
    const literal = setOf([{ Effect: 'Allow', Action: 'user:x', Resource: '*' }]);
    assert.equal(allowed(literal, 'user:x', 'r', { 'subject.id': 'x' }), true);
  });

  test('the same action in different spellings is cached independently and correctly', () => {
    for (let i = 0; i < 1100; i++) assert.equal(allowed(set, `svc${i}:list`), true);
    assert.equal(allowed(set, 'user:create'), true);
    assert.equal(allowed(set, 'user:delete'), false);
  });
});

describe('resource matching (policy-spec §3)', () => {
  test('resources match case-sensitively', () => {
    const set = setOf([{ Effect: 'Allow', Action: '*', Resource: 'user/Alice' }]);
    assert.equal(allowed(set, 'user:read', 'user/Alice'), true);
    assert.equal(allowed(set, 'user:read', 'user/alice'), false);
  });

  test('the AWS B/*/test/* example: * crosses /', () => {
    const set = setOf([{ Effect: 'Allow', Action: '*', Resource: 'B/*/test/*' }]);
    for (const r of ['B/1/2/test/3/o.jpg', 'B//test/o.jpg', 'B/1/test/'])
      assert.equal(allowed(set, 'x:y', r), true, r);
    for (const r of ['B/test/o.jpg', 'B/1-test/o.jpg', 'B/1/2/test.jpg'])
      assert.equal(allowed(set, 'x:y', r), false, r);
  });

  test('a list of resources is ORed', () => {
    const set = setOf([{ Effect: 'Allow', Action: '*', Resource: ['user/*', 'group/ops'] }]);
    assert.equal(allowed(set, 'x:y', 'user/1'), true);
    assert.equal(allowed(set, 'x:y', 'group/ops'), true);
    assert.equal(allowed(set, 'x:y', 'group/dev'), false);
  });
});

describe('NotAction / NotResource (policy-spec §3)', () => {
  test('Allow + NotAction grants every action not listed', () => {
    const set = setOf([{ Effect: 'Allow', NotAction: ['user:delete', 'policy:*'], Resource: '*' }]);
    assert.equal(allowed(set, 'user:read'), true);
    assert.equal(allowed(set, 'User:Delete'), false);
    assert.equal(allowed(set, 'policy:update'), false);
  });

  test('Deny + NotAction denies everything not listed and grants nothing on its own', () => {
    const denyOnly = setOf([{ Effect: 'Deny', NotAction: 'user:read', Resource: '*' }]);
    assert.equal(allowed(denyOnly, 'user:read'), false);
    assert.equal(decide(denyOnly, request('user:read')).reason, 'implicitDeny');
    const withAllow = setOf([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', NotAction: 'user:read', Resource: '*' },
    ]);
    assert.equal(allowed(withAllow, 'user:read'), true);
    assert.equal(allowed(withAllow, 'user:update'), false);
  });

  test('Allow + NotResource grants every resource not listed', () => {
    const set = setOf([{ Effect: 'Allow', Action: '*', NotResource: 'policy/*' }]);
    assert.equal(allowed(set, 'x:y', 'user/1'), true);
    assert.equal(allowed(set, 'x:y', 'policy/1'), false);
  });

  test('Deny + NotResource denies every resource not listed', () => {
    const set = setOf([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', NotResource: ['user/*', 'group/*'] },
    ]);
    assert.equal(allowed(set, 'x:y', 'user/1'), true);
    assert.equal(allowed(set, 'x:y', 'policy/1'), false);
  });

  test('NotAction and NotResource combine in one statement', () => {
    const set = setOf([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', NotAction: 'user:read', NotResource: 'user/*' },
    ]);
    assert.equal(allowed(set, 'user:update', 'user/1'), true);
    assert.equal(allowed(set, 'user:read', 'policy/1'), true);
    assert.equal(allowed(set, 'user:update', 'policy/1'), false);
  });
});

describe('policy variables in resources (policy-spec §4)', () => {
  const own = setOf([{ Effect: 'Allow', Action: '*', Resource: 'user/${subject.id}/*' }]);

  test('${key} is substituted from the context', () => {
    assert.equal(allowed(own, 'x:y', 'user/u1/profile', { 'subject.id': 'u1' }), true);
    assert.equal(allowed(own, 'x:y', 'user/u2/profile', { 'subject.id': 'u1' }), false);
  });

  test('a substituted "*" is literal, not a wildcard', () => {
    assert.equal(allowed(own, 'x:y', 'user/u2/profile', { 'subject.id': '*' }), false);
    assert.equal(allowed(own, 'x:y', 'user/*/profile', { 'subject.id': '*' }), true);
  });

  test('a pattern with an unresolved variable matches no resource', () => {
    assert.equal(allowed(own, 'x:y', 'user//profile'), false);
    assert.equal(allowed(own, 'x:y', 'user/${subject.id}/profile'), false);
  });

  test('defaults and ${*}', () => {
    const set = setOf([
      { Effect: 'Allow', Action: '*', Resource: ["team/${subject.team, 'shared'}/*", 'lit/${*}'] },
    ]);
    assert.equal(allowed(set, 'x:y', 'team/shared/doc'), true);
    assert.equal(allowed(set, 'x:y', 'team/ops/doc', { 'subject.team': 'ops' }), true);
    assert.equal(allowed(set, 'x:y', 'team/shared/doc', { 'subject.team': 'ops' }), false);
    assert.equal(allowed(set, 'x:y', 'lit/*'), true);
    assert.equal(allowed(set, 'x:y', 'lit/anything'), false);
  });

  test('numbers and booleans substitute as their text', () => {
    const set = setOf([{ Effect: 'Allow', Action: '*', Resource: 'n/${subject.n}/${subject.b}' }]);
    assert.equal(allowed(set, 'x:y', 'n/42/true', { 'subject.n': 42, 'subject.b': true }), true);
  });

  test('an unresolved variable never widens an Allow through NotResource', () => {
    const allow = setOf([{ Effect: 'Allow', Action: '*', NotResource: 'user/${subject.id}/*' }]);
    assert.equal(allowed(allow, 'x:y', 'policy/1', { 'subject.id': 'u1' }), true);
    assert.equal(allowed(allow, 'x:y', 'user/u1/x', { 'subject.id': 'u1' }), false);
    assert.equal(allowed(allow, 'x:y', 'policy/1'), false);
  });

  test('under Deny + NotResource an unresolved pattern excludes nothing, so the Deny applies', () => {
    const set = setOf([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', NotResource: 'user/${subject.id}/*' },
    ]);
    assert.equal(allowed(set, 'x:y', 'user/u1/x', { 'subject.id': 'u1' }), true);
    assert.equal(allowed(set, 'x:y', 'user/u1/x'), false);
  });

  test('Version 2008-10-17 and a missing Version treat ${...} as literal text', () => {
    for (const version of ['2008-10-17', null]) {
      const set = setOf([{ Effect: 'Allow', Action: '*', Resource: 'user/${subject.id}' }], version);
      assert.equal(allowed(set, 'x:y', 'user/${subject.id}', { 'subject.id': 'u1' }), true);
      assert.equal(allowed(set, 'x:y', 'user/u1', { 'subject.id': 'u1' }), false);
    }
  });

  test('under 2008-10-17 the * inside ${*} is an ordinary wildcard', () => {
    const set = setOf([{ Effect: 'Allow', Action: '*', Resource: 'a/${*}' }], '2008-10-17');
    assert.equal(allowed(set, 'x:y', 'a/${anything}'), true);
  });
});

describe('indexing by action (policy-spec §7)', () => {
  test('exact, service-wildcard, global-wildcard and NotAction statements are all found', () => {
    const set = setOf([
      { Sid: 'Exact', Effect: 'Allow', Action: 'user:read', Resource: '*' },
      { Sid: 'Service', Effect: 'Allow', Action: 'user:re*', Resource: '*' },
      { Sid: 'Global', Effect: 'Allow', Action: '*:read', Resource: '*' },
      { Sid: 'Wild', Effect: 'Allow', Action: 'us?r:read', Resource: '*' },
      { Sid: 'Not', Effect: 'Allow', NotAction: 'group:*', Resource: '*' },
      { Sid: 'Other', Effect: 'Allow', Action: 'group:read', Resource: '*' },
    ]);
    const sids = decide(set, request('USER:READ')).matched.map((m) => m.statement);
    assert.deepEqual(sids, ['Exact', 'Service', 'Global', 'Wild', 'Not']);
  });

  test('a statement listing an action twice is reported once', () => {
    const set = setOf([
      { Effect: 'Allow', Action: ['user:read', 'USER:READ', 'user:*', 'user:r*'], Resource: '*' },
    ]);
    assert.equal(decide(set, request('user:read')).matched.length, 1);
  });

  test('large sets decide correctly', () => {
    const statements = Array.from({ length: 5000 }, (_, i) => ({
      Effect: 'Allow',
      Action: `svc${i % 7}:op${i}`,
      Resource: `res/${i}`,
    }));
    const set = setOf(statements);
    assert.equal(allowed(set, `svc${4999 % 7}:op4999`, 'res/4999'), true);
    assert.equal(allowed(set, `svc${(4999 + 1) % 7}:op4999`, 'res/4999'), false);
    assert.equal(allowed(set, `svc${4998 % 7}:op4998`, 'res/4997'), false);
  });
});

describe('fail closed (policy-spec §1)', () => {
  const set = setOf([
    { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { a: 'x' } } },
  ]);

  test('a malformed context value denies with an error instead of throwing', () => {
    const context = { a: { nested: true } } as unknown as Context;
    assert.equal(isAllowed(set, request('x:y', 'r', context)), false);
    const d = decide(set, request('x:y', 'r', context));
    assert.equal(d.decision, 'deny');
    assert.equal(d.reason, 'implicitDeny');
    assert.match(d.error ?? '', /unsupported value/);
  });

  test('a malformed request or set denies instead of throwing', () => {
    const bad = { action: 42, resource: 'r', context: {} } as unknown as AuthzRequest;
    assert.equal(isAllowed(set, bad), false);
    assert.equal(decide(set, bad).decision, 'deny');
    const noSet = {} as unknown as CompiledPolicySet;
    assert.equal(isAllowed(noSet, request('x:y')), false);
    assert.equal(decide(noSet, request('x:y')).decision, 'deny');
  });

  test('a context whose getter throws denies', () => {
    const context = Object.defineProperty({}, 'a', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    }) as Context;
    assert.equal(isAllowed(set, request('x:y', 'r', context)), false);
    assert.equal(decide(set, request('x:y', 'r', context)).error, 'boom');
  });

  test('compiling an invalid document throws PolicyValidationError with its issues', () => {
    assert.throws(
      () =>
        compilePolicies([
          { id: 'bad', document: { Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] } },
        ]),
      (error: unknown) =>
        error instanceof PolicyValidationError &&
        error.issues.some((issue) => issue.pointer === '/Statement/0/Effect'),
    );
  });
});

describe('roles and policy sets', () => {
  test('rolePolicy compiles to an Allow on its permissions for every resource', () => {
    const role = rolePolicy('role:editor', ['user:read', 'group:*']);
    assert.deepEqual(role.document, {
      Version: V2012,
      Statement: [{ Effect: 'Allow', Action: ['user:read', 'group:*'], Resource: '*' }],
    });
    const set = compilePolicies([role]);
    assert.equal(allowed(set, 'user:read', 'tenant/acme/user/1'), true);
    assert.equal(allowed(set, 'group:delete', 'group/ops'), true);
    assert.equal(allowed(set, 'user:delete', 'user/1'), false);
    assert.deepEqual(decide(set, request('user:read')).matched, [
      { policy: 'role:editor', statement: '0', effect: 'Allow' },
    ]);
  });

  test('a role without permissions grants nothing', () => {
    assert.equal(allowed(compilePolicies([rolePolicy('role:none', [])]), 'user:read'), false);
  });

  test('compiled policies can be shared between sets', () => {
    const editor = compilePolicy(rolePolicy('role:editor', ['user:*']));
    const guard = compilePolicy(policy('guard', [{ Effect: 'Deny', Action: 'user:delete', Resource: '*' }]));
    const plain = combinePolicies([editor]);
    const guarded = combinePolicies([editor, guard]);
    assert.equal(allowed(plain, 'user:delete'), true);
    assert.equal(allowed(guarded, 'user:delete'), false);
    assert.equal(allowed(plain, 'user:delete'), true);
  });
});

describe('flattenContext (policy-spec §6)', () => {
  test('nests become dotted keys; arrays of scalars stay arrays; null and undefined are dropped', () => {
    const context = flattenContext({
      subject: { id: 'u1', roles: ['admin', 'dev'], mfa: true, email: null, team: undefined },
      request: { ip: '10.0.0.1', time: new Date('2024-01-01T00:00:00Z') },
    });
    assert.deepEqual(
      { ...context },
      {
        'subject.id': 'u1',
        'subject.roles': ['admin', 'dev'],
        'subject.mfa': true,
        'request.ip': '10.0.0.1',
        'request.time': '2024-01-01T00:00:00.000Z',
      },
    );
  });

  test('keys are lower-cased, and two spellings of one key are rejected', () => {
    assert.deepEqual({ ...flattenContext({ Subject: { ID: 'u1' } }) }, { 'subject.id': 'u1' });
    assert.throws(() => flattenContext({ subject: { id: 'a', ID: 'b' } }), /more than once/);
    assert.throws(() => flattenContext({ 'subject.id': 'a', subject: { id: 'b' } }), /more than once/);
  });

  test('unsupported values are rejected', () => {
    assert.throws(() => flattenContext({ a: [{ b: 1 }] }), /array of scalars/);
    assert.throws(() => flattenContext({ a: () => 1 }), /unsupported/);
    assert.throws(() => flattenContext({ a: new Date(Number.NaN) }), /invalid Date/);
  });

  test('a flattened context drives conditions', () => {
    const set = setOf([
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: {
          'ForAnyValue:StringEquals': { 'subject.roles': 'admin' },
          Null: { 'subject.email': 'true' },
        },
      },
    ]);
    assert.equal(allowed(set, 'x:y', 'r', flattenContext({ subject: { roles: ['dev', 'admin'] } })), true);
    assert.equal(
      allowed(set, 'x:y', 'r', flattenContext({ subject: { roles: ['dev'], email: null } })),
      false,
    );
    assert.equal(
      allowed(set, 'x:y', 'r', flattenContext({ subject: { roles: ['admin'], email: 'a@b' } })),
      false,
    );
  });
});
