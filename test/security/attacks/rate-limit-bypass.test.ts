import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../../support/test-app.ts';
import { patchSettings } from './attack-support.ts';

// Rate-limit and lockout bypass attempts (docs/rate-limits.md "Client address", docs/auth.md "Sign-in
// guards"): forwarding headers from an untrusted peer, address rotation inside one IPv6 /64, IPv4-mapped
// addresses, and case or spacing variants of the typed address.

const PROXY = '10.20.30.40';
const LIMIT = 3;
const randomIp = () =>
  `${1 + (randomBytes(1)[0]! % 223)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

for (const variant of VARIANTS) {
  describe(`attack: rate-limit and lockout bypass (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let next = 1;
    /** A fresh client address per test (TEST-NET-2), so windows never meet. */
    const freshIp = () => `198.51.100.${next++}`;

    before(async () => {
      t = await startTestApp(variant, { env: { RATE_LIMIT_ENABLED: 'true', TRUSTED_PROXIES: PROXY } });
      acme = await createTenantWithAdmin(t, 'acme');
      await patchSettings(t, 'acme', acme.adminToken, {
        rate_limits: { login: { limit: LIMIT, window_seconds: 600 } },
        captcha: { account_threshold: 1000, ip_threshold: 100_000 },
      });
    });
    after(() => t.close());

    // A fresh address per attempt by default, so the lockout (per typed address) never answers for the limit.
    const attempt = (
      remoteAddress: string,
      headers: Record<string, string> = {},
      email = `${randomBytes(4).toString('hex')}@acme.test`,
    ) =>
      t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/login',
        remoteAddress,
        headers,
        payload: { email, password: 'guess' },
      });
    /** Runs `LIMIT` attempts plus a few more; answers the statuses. */
    const burst = async (send: (i: number) => ReturnType<typeof attempt>) => {
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 3; i++) statuses.push((await send(i)).statusCode);
      return statuses;
    };
    const limited = (statuses: number[], what: string) => {
      // 401 while the window has room; 429 IAM_ERR_RATE_LIMITED after.
      assert.deepEqual(statuses.slice(0, LIMIT), Array(LIMIT).fill(401), what);
      assert.deepEqual(statuses.slice(LIMIT), [429, 429, 429], `${what}: ${statuses.join()}`);
    };

    test('a new X-Forwarded-For (or any forwarding header) per request from an untrusted peer changes nothing', async () => {
      const ip = freshIp();
      limited(
        await burst(() =>
          attempt(ip, {
            'x-forwarded-for': randomIp(),
            'x-real-ip': randomIp(),
            forwarded: `for=${randomIp()}`,
            'true-client-ip': randomIp(),
            'cf-connecting-ip': randomIp(),
            'x-client-ip': randomIp(),
          }),
        ),
        'spoofed forwarding headers',
      );
      const refused = await attempt(ip, { 'x-forwarded-for': randomIp() });
      problemOf(refused, 429, 'IAM_ERR_RATE_LIMITED');
      assert.ok(Number(refused.headers['retry-after']) > 0);
    });

    test('through a trusted proxy, a client-prepended X-Forwarded-For entry does not pick the counted address', async () => {
      const client = freshIp();
      // The proxy appends the address it saw; whatever the client put in front is not trusted.
      limited(
        await burst(() => attempt(PROXY, { 'x-forwarded-for': `${randomIp()}, ${randomIp()}, ${client}` })),
        'spoofed prefix through the proxy',
      );
    });

    test('rotating addresses inside one IPv6 /64, or writing an IPv4 address as IPv4-mapped IPv6, counts as one client', async () => {
      limited(await burst((i) => attempt(`2001:db8:1:2::${(i + 1).toString(16)}`)), 'one /64');
      limited(await burst((i) => attempt(`2001:db8:1:3:${i + 1}::${i + 7}`)), 'one /64, other interface ids');
      const v4 = freshIp();
      limited(await burst((i) => attempt(i % 2 ? v4 : `::ffff:${v4}`)), 'IPv4 and IPv4-mapped');
    });

    test('tenant slug variants do not open another bucket', async () => {
      const ip = freshIp();
      const statuses: number[] = [];
      for (const slug of ['acme', 'ACME', 'Acme', 'acme', 'acme', 'acme']) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/t/${slug}/v1/auth/login`,
          remoteAddress: ip,
          payload: { email: 'x@acme.test', password: 'guess' },
        });
        statuses.push(res.statusCode);
      }
      assert.ok(statuses.filter((s) => s === 401).length <= LIMIT, statuses.join());
      assert.equal(statuses.at(-1), 429, statuses.join());
    });

    test('case and spacing variants of an address share one lockout counter', async () => {
      await patchSettings(t, 'acme', acme.adminToken, { lockout: { threshold: 3, duration_seconds: 600 } });
      const victim = await createUser(t, acme.id, { email: 'locked.out@acme.test' });
      // A fresh address per attempt: the per-IP limit is not what stops this.
      for (const email of ['locked.out@acme.test', 'LOCKED.OUT@acme.test', ' Locked.Out@ACME.test ']) {
        problemOf(await attempt(freshIp(), {}, email), 401, 'IAM_ERR_INVALID_CREDENTIALS');
      }
      const res = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/login',
        remoteAddress: freshIp(),
        payload: { email: 'Locked.Out@acme.test', password: victim.password },
      });
      problemOf(res, 429, 'IAM_ERR_ACCOUNT_LOCKED');
    });
  });
}
