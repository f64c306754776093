import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BROWSER_USER_AGENT } from '../support/browser.ts';
import { type ScratchDatabase, scratchDatabase, VARIANTS } from '../support/databases.ts';
import { freePort, type Started, startMain, waitForOk } from '../support/process.ts';

// Two replicas behind nothing but the client's round-robin, sharing PostgreSQL and Redis: what one
// is told applies on the other within a second. (Revocation and settings have their own tests in
// test/tokens/cross-process-revocation.test.ts and test/tenants/settings.test.ts.)
const REDIS = process.env.TEST_REDIS_URL;
const PASSWORD = 'a long operator passphrase';
const skip = !REDIS
  ? 'TEST_REDIS_URL not set'
  : !VARIANTS.includes('postgres')
    ? 'replicas share a PostgreSQL database'
    : false;

describe('two replicas', { skip }, () => {
  let scratch: ScratchDatabase;
  const replicas: Started[] = [];
  let a = '';
  let b = '';
  let operator = '';

  const call = async (base: string, method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        'user-agent': BROWSER_USER_AGENT,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: () => JSON.parse(text) };
  };
  const signIn = async (base: string, email: string, password: string) => {
    const res = await call(base, 'POST', '/t/platform/v1/auth/login', undefined, { email, password });
    assert.equal(res.status, 200);
    return res.json().access_token as string;
  };
  /** Polls `probe` on the other replica until it holds, for at most a second. */
  const withinASecond = async (what: string, probe: () => Promise<boolean>) => {
    const started = performance.now();
    while (!(await probe())) {
      if (performance.now() - started > 1000)
        assert.fail(`${what}: not in force on the other replica after a second`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  before(async () => {
    scratch = await scratchDatabase('postgres');
    const env = {
      ...scratch.env,
      GATEHOUSE_ADMIN_EMAIL: 'ops@example.test',
      GATEHOUSE_ADMIN_PASSWORD: PASSWORD,
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_ITERATIONS: '1',
      DATABASE_MIGRATE_ON_START: 'true',
      PUBLIC_URL: 'https://id.example.test',
      REDIS_URL: REDIS as string,
      // A 5 s poll cannot explain a change seen within a second: only the Redis signal can.
      INVALIDATION_POLL_MS: '5000',
      JOBS_ENABLED: 'false',
    };
    const ports = [await freePort(), await freePort()];
    replicas.push(startMain({ ...env, PORT: String(ports[0]) }));
    await waitForOk(`http://127.0.0.1:${ports[0]}/readyz`);
    replicas.push(startMain({ ...env, PORT: String(ports[1]) }));
    await waitForOk(`http://127.0.0.1:${ports[1]}/readyz`);
    [a, b] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];
    operator = await signIn(a, 'ops@example.test', PASSWORD);
  });
  after(async () => {
    for (const r of replicas) r.child.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.exited));
    await scratch?.drop();
  });

  test('a policy attached through one replica decides on the other within a second', async () => {
    const created = await call(a, 'POST', '/t/platform/v1/users', operator, {
      email: 'reader@example.test',
      password: 'correct battery horse staple 9',
      email_verified: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.json()));
    const userId = created.json().id as string;
    const roles = (await call(a, 'GET', '/t/platform/v1/roles', operator)).json().items as {
      id: string;
      name: string;
    }[];
    const userRole = roles.find((r) => r.name === 'user')!;
    assert.equal(
      (await call(a, 'PUT', `/t/platform/v1/users/${userId}/roles/${userRole.id}`, operator)).status,
      204,
    );
    const reader = await signIn(b, 'reader@example.test', 'correct battery horse staple 9');
    assert.equal((await call(b, 'GET', '/t/platform/v1/me', reader)).status, 200);

    const policy = await call(a, 'POST', '/t/platform/v1/policies', operator, {
      name: 'no-self-read',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 'self:read', Resource: '*' }],
      },
    });
    assert.equal(policy.status, 201);
    const attach = await call(
      a,
      'PUT',
      `/t/platform/v1/policies/${policy.json().id}/attachments/user/${userId}`,
      operator,
    );
    assert.equal(attach.status, 204);
    await withinASecond(
      'the deny',
      async () => (await call(b, 'GET', '/t/platform/v1/me', reader)).status === 403,
    );
  });

  test('rate limits count once across both replicas', async () => {
    const patched = await call(a, 'PATCH', '/t/platform/v1/settings', operator, {
      rate_limits: { login: { limit: 1000, window_seconds: 60 } },
    });
    assert.equal(patched.status, 200);
    // Each replica re-reads the tenant within half a second; then every answer's remaining count
    // is one less than the one before, whichever replica gave it: one counter, in Redis.
    await new Promise((r) => setTimeout(r, 600));
    let previous: number | undefined;
    for (let i = 0; i < 8; i++) {
      const base = i % 2 === 0 ? a : b;
      const res = await call(base, 'POST', '/t/platform/v1/auth/login', undefined, {
        email: `nobody-${i}@example.test`,
        password: 'wrong wrong wrong',
      });
      assert.equal(res.status, 401);
      assert.match(String(res.headers.get('ratelimit-policy')), /"login";q=1000;w=60/);
      const remaining = Number(/r=(\d+)/.exec(String(res.headers.get('ratelimit')))?.[1]);
      if (previous !== undefined) assert.equal(remaining, previous - 1, `request ${i} on ${base}`);
      previous = remaining;
    }
  });
});
