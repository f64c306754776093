import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BROWSER_USER_AGENT } from '../support/browser.ts';
import { scratchDatabase, VARIANTS } from '../support/databases.ts';
import { freePort, type Started, startMain, waitForOk } from '../support/process.ts';

const PASSWORD = 'a long operator passphrase';

for (const variant of VARIANTS) {
  describe(`revocation across processes (${variant})`, () => {
    test('a session ended on one replica is refused by the other within a second', () =>
      logoutReachesOtherReplica(variant, { INVALIDATION_POLL_MS: '100' }));

    const redis = process.env.TEST_REDIS_URL;
    test(
      'with Redis, the other replica learns at once even when it polls rarely',
      { skip: redis ? false : 'TEST_REDIS_URL not set' },
      // A 5 s poll cannot explain a refusal within a second: only the Redis signal can.
      () => logoutReachesOtherReplica(variant, { INVALIDATION_POLL_MS: '5000', REDIS_URL: redis as string }),
    );
  });
}

async function logoutReachesOtherReplica(
  variant: 'sqlite' | 'postgres',
  extra: Record<string, string>,
): Promise<void> {
  const scratch = await scratchDatabase(variant);
  const env = {
    ...scratch.env,
    GATEHOUSE_ADMIN_EMAIL: 'ops@example.test',
    GATEHOUSE_ADMIN_PASSWORD: PASSWORD,
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_ITERATIONS: '1',
    ...extra,
    DATABASE_MIGRATE_ON_START: 'true',
    // Replicas behind one load balancer share the public URL, hence the token issuer.
    PUBLIC_URL: 'https://id.example.test',
  };
  const replicas: Started[] = [];
  try {
    const ports = [await freePort(), await freePort()];
    // The first replica prepares the database before the second starts, as a deployment would.
    replicas.push(startMain({ ...env, PORT: String(ports[0]) }));
    await waitForOk(`http://127.0.0.1:${ports[0]}/readyz`);
    replicas.push(startMain({ ...env, PORT: String(ports[1]) }));
    await waitForOk(`http://127.0.0.1:${ports[1]}/readyz`);
    const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];

    const login = await fetch(`${a}/t/platform/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': BROWSER_USER_AGENT },
      body: JSON.stringify({ email: 'ops@example.test', password: PASSWORD }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const me = () => fetch(`${b}/t/platform/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await me()).status, 200);

    const logout = await fetch(`${a}/t/platform/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(logout.status, 204);
    const started = performance.now();
    let status = 200;
    while (status === 200 && performance.now() - started < 1000) {
      status = (await me()).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 401, 'the other replica still accepted the token a second after logout');
  } finally {
    for (const r of replicas) r.child.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.exited));
    await scratch.drop();
  }
}
