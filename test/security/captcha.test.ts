import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../src/clock.ts';
import {
  type Altcha,
  type AltchaChallenge,
  altchaHmacKey,
  type CaptchaSettings,
  captchaRoutes,
  createAltcha,
  createCaptchaVerifier,
  createMemoryUsedCaptchaStore,
} from '../../src/security/index.ts';
import { resolveSettings } from '../../src/tenants/index.ts';
import { solveAltcha } from '../support/captcha.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

const TTL = 300;
const MAX_NUMBER = 1000; // the smallest the config allows: quick to solve in tests

function movableClock(): Clock & { advance(seconds: number): void } {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(seconds) {
      offsetMs += seconds * 1000;
    },
  };
}

function newAltcha(clock: Clock, hmacKey = 'test-hmac-key'): Altcha {
  const used = createMemoryUsedCaptchaStore({ clock });
  return createAltcha({ hmacKey, maxNumber: MAX_NUMBER, ttlSeconds: TTL, clock, used });
}

function edit(solution: string, change: (payload: Record<string, unknown>) => void): string {
  const payload = JSON.parse(Buffer.from(solution, 'base64').toString('utf8'));
  change(payload);
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

const captchaSettings = (captcha: Partial<CaptchaSettings>): CaptchaSettings =>
  resolveSettings({ captcha }).captcha;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return (error as { code?: string }).code === code;
  });
  return caught as Error;
}

describe('ALTCHA challenges', () => {
  const clock = movableClock();
  const altcha = newAltcha(clock);
  const verifier = createCaptchaVerifier({ altcha, clock });
  const settings = captchaSettings({ provider: 'altcha' });

  test('a solved challenge verifies once; a second use is refused', async () => {
    const challenge = await altcha.createChallenge();
    assert.equal(challenge.algorithm, 'SHA-256');
    assert.equal(challenge.maxnumber, MAX_NUMBER);
    assert.match(challenge.salt, /^[0-9a-f]{32}\?expires=\d+&$/);
    const solution = await solveAltcha(challenge);
    await verifier.verify(settings, solution, '203.0.113.5');
    await rejectsWith(verifier.verify(settings, solution, '203.0.113.5'), 'IAM_ERR_CAPTCHA_INVALID');
    assert.deepEqual(await altcha.verify(solution), { ok: false, reason: 'reused' });
  });

  test('the JSON payload itself is accepted as well as its base64', async () => {
    const solution = await solveAltcha(await altcha.createChallenge());
    assert.deepEqual(await altcha.verify(Buffer.from(solution, 'base64').toString('utf8')), { ok: true });
  });

  test('an expired challenge is refused', async () => {
    const local = movableClock();
    const shortLived = newAltcha(local);
    const solution = await solveAltcha(await shortLived.createChallenge());
    local.advance(TTL + 1);
    assert.deepEqual(await shortLived.verify(solution), { ok: false, reason: 'expired' });
  });

  test('a tampered number, salt or signature is refused', async () => {
    const solution = await solveAltcha(await altcha.createChallenge());
    const tampered = [
      edit(solution, (p) => {
        p.number = (p.number as number) + 1;
      }),
      // Pushing the expiry out changes the salt, which the signed hash covers.
      edit(solution, (p) => {
        p.salt = String(p.salt).replace(/expires=\d+/, 'expires=9999999999');
      }),
      edit(solution, (p) => {
        const sig = String(p.signature);
        p.signature = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
      }),
      edit(solution, (p) => {
        p.algorithm = 'SHA-1';
      }),
    ];
    for (const candidate of tampered) {
      assert.equal((await altcha.verify(candidate)).ok, false);
      await rejectsWith(verifier.verify(settings, candidate, undefined), 'IAM_ERR_CAPTCHA_INVALID');
    }
    // The untouched solution is still good: refusals did not spend it.
    assert.deepEqual(await altcha.verify(solution), { ok: true });
  });

  test('a challenge signed with another key is refused', async () => {
    const foreign = newAltcha(clock, 'another-key');
    const solution = await solveAltcha(await foreign.createChallenge());
    assert.deepEqual(await altcha.verify(solution), { ok: false, reason: 'invalid' });
  });

  test('garbage is refused as malformed', async () => {
    for (const junk of ['not base64 at all', Buffer.from('[]').toString('base64'), 'x'.repeat(5000), '{']) {
      assert.deepEqual(await altcha.verify(junk), { ok: false, reason: 'malformed' });
    }
  });

  test('a missing solution is CAPTCHA_REQUIRED, naming the challenge URL', async () => {
    for (const missing of [undefined, '']) {
      const error = await rejectsWith(
        verifier.verify(settings, missing, '203.0.113.5', { tenant: 'acme' }),
        'IAM_ERR_CAPTCHA_REQUIRED',
      );
      assert.match(error.message, /\/t\/acme\/v1\/captcha\/challenge/);
    }
  });

  test('the HMAC key is derived from the key-encryption key unless configured', () => {
    const kek = randomBytes(32);
    const derived = altchaHmacKey('', kek);
    assert.match(derived, /^[0-9a-f]{64}$/);
    assert.equal(altchaHmacKey('', kek), derived);
    assert.notEqual(altchaHmacKey('', randomBytes(32)), derived);
    assert.equal(altchaHmacKey('configured', kek), 'configured');
  });
});

describe('used-solution store (in memory)', () => {
  test('refuses a second mark until the first expires, and stays bounded', async () => {
    const clock = movableClock();
    const store = createMemoryUsedCaptchaStore({ clock, maxEntries: 2 });
    const later = () => new Date(clock.now().getTime() + 60_000);
    assert.equal(await store.markUsed('a', later()), true);
    assert.equal(await store.markUsed('a', later()), false);
    assert.equal(await store.markUsed('b', later()), true);
    assert.equal(await store.markUsed('c', later()), true); // evicts the oldest, 'a'
    assert.equal(await store.markUsed('a', later()), true);
    clock.advance(120);
    assert.equal(await store.markUsed('c', later()), true, 'an expired entry no longer counts');
  });
});

interface Received {
  path: string;
  form: URLSearchParams;
}

/** A local stand-in for a provider's siteverify endpoint; the token chooses the answer. */
async function startVerifier(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      received.push({ path: req.url ?? '', form });
      const token = form.get('response');
      if (token === 'server-error') {
        res.writeHead(500).end('oops');
      } else if (token === 'redirect') {
        res.writeHead(307, { location: 'http://127.0.0.1:9/elsewhere' }).end();
      } else if (token === 'not-json') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      } else {
        const success = token === 'good-token';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(success ? { success } : { success, 'error-codes': ['invalid-input-response'] }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/siteverify`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('third-party captcha providers', () => {
  let provider: Awaited<ReturnType<typeof startVerifier>>;
  const clock = movableClock();
  const lines: { level: string; entry: Record<string, unknown> }[] = [];
  const log = {
    info: (entry: object) => lines.push({ level: 'info', entry: entry as Record<string, unknown> }),
    warn: (entry: object) => lines.push({ level: 'warn', entry: entry as Record<string, unknown> }),
  };
  const verifier = createCaptchaVerifier({ altcha: newAltcha(clock), clock, log });
  const settingsFor = (provider: CaptchaSettings['provider'], url: string) =>
    captchaSettings({ provider, site_key: 'site-123', secret_key: 's3cret', verify_url: url });

  before(async () => {
    provider = await startVerifier();
  });
  after(() => provider.close());

  for (const name of ['turnstile', 'hcaptcha', 'recaptcha'] as const) {
    test(`${name}: success passes and sends secret, response and remoteip`, async () => {
      provider.received.length = 0;
      await verifier.verify(settingsFor(name, provider.url), 'good-token', '198.51.100.7');
      assert.equal(provider.received.length, 1);
      const { path, form } = provider.received[0]!;
      assert.equal(path, '/siteverify');
      assert.equal(form.get('secret'), 's3cret');
      assert.equal(form.get('response'), 'good-token');
      assert.equal(form.get('remoteip'), '198.51.100.7');
    });

    test(`${name}: success false is CAPTCHA_INVALID, logged as rejected`, async () => {
      lines.length = 0;
      await rejectsWith(
        verifier.verify(settingsFor(name, provider.url), 'wrong-token', '198.51.100.7', { tenant: 'acme' }),
        'IAM_ERR_CAPTCHA_INVALID',
      );
      assert.equal(lines.at(-1)?.level, 'info');
      assert.equal(lines.at(-1)?.entry.reason, 'rejected');
      assert.deepEqual(lines.at(-1)?.entry.error_codes, ['invalid-input-response']);
    });
  }

  test('a non-200, a redirect or a non-JSON answer fails closed, logged as a provider failure', async () => {
    for (const [token, reason] of [
      ['server-error', 'http_status'],
      ['redirect', 'http_status'],
      ['not-json', 'malformed_response'],
    ] as const) {
      lines.length = 0;
      await rejectsWith(
        verifier.verify(settingsFor('turnstile', provider.url), token, '198.51.100.7'),
        'IAM_ERR_CAPTCHA_INVALID',
      );
      assert.equal(lines.at(-1)?.level, 'warn', token);
      assert.equal(lines.at(-1)?.entry.reason, reason, token);
    }
  });

  test('an unreachable provider fails closed, logged as a network failure', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/siteverify`;
    lines.length = 0;
    await rejectsWith(
      verifier.verify(settingsFor('hcaptcha', url), 'good-token', undefined),
      'IAM_ERR_CAPTCHA_INVALID',
    );
    assert.equal(lines.at(-1)?.level, 'warn');
    assert.equal(lines.at(-1)?.entry.reason, 'network');
  });

  test('hCaptcha also gets the site key; no secret configured fails closed without a call', async () => {
    provider.received.length = 0;
    await verifier.verify(settingsFor('hcaptcha', provider.url), 'good-token', undefined);
    assert.equal(provider.received[0]?.form.get('sitekey'), 'site-123');
    assert.equal(provider.received[0]?.form.has('remoteip'), false);
    provider.received.length = 0;
    const unconfigured = captchaSettings({ provider: 'turnstile', verify_url: provider.url });
    await rejectsWith(verifier.verify(unconfigured, 'good-token', undefined), 'IAM_ERR_CAPTCHA_INVALID');
    assert.equal(provider.received.length, 0);
  });

  test('an ALTCHA solution is no answer for a tenant on a third-party provider', async () => {
    const clockAltcha = newAltcha(clock);
    const solution = await solveAltcha(await clockAltcha.createChallenge());
    await rejectsWith(
      verifier.verify(settingsFor('turnstile', provider.url), solution, undefined),
      'IAM_ERR_CAPTCHA_INVALID',
    );
  });

  test('a missing token is CAPTCHA_REQUIRED, naming the provider and site key', async () => {
    const error = await rejectsWith(
      verifier.verify(settingsFor('recaptcha', provider.url), undefined, undefined),
      'IAM_ERR_CAPTCHA_REQUIRED',
    );
    assert.match(error.message, /recaptcha/);
    assert.match(error.message, /site-123/);
  });
});

const HMAC_KEY = 'route-test-hmac-key';
const ENV = { ALTCHA_HMAC_KEY: HMAC_KEY, ALTCHA_MAX_NUMBER: String(MAX_NUMBER) };

/** Registers the challenge route unless the composition root already does (with the same ENV). */
function withCaptchaRoutes(app: FastifyInstance): void {
  if (app.hasRoute({ method: 'GET', url: '/t/:tenant/v1/captcha/challenge' })) return;
  app.register(captchaRoutes, { altcha: newAltcha({ now: () => new Date() }, HMAC_KEY) });
}

for (const variant of VARIANTS) {
  describe(`captcha challenge route (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant, { env: ENV, extend: withCaptchaRoutes });
      await createTenantWithAdmin(t, 'captcha-co');
    });
    after(() => t.close());

    test('GET answers a fresh, solvable challenge that must not be cached', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/t/captcha-co/v1/captcha/challenge' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const challenge = res.json() as AltchaChallenge;
      assert.deepEqual(Object.keys(challenge).sort(), [
        'algorithm',
        'challenge',
        'maxnumber',
        'salt',
        'signature',
      ]);
      const again = await t.app.inject({ method: 'GET', url: '/t/captcha-co/v1/captcha/challenge' });
      assert.notEqual(again.json().salt, challenge.salt);

      const verifier = createAltcha({
        hmacKey: HMAC_KEY,
        maxNumber: MAX_NUMBER,
        ttlSeconds: TTL,
        clock: { now: () => new Date() },
        used: createMemoryUsedCaptchaStore({ clock: { now: () => new Date() } }),
      });
      const solution = await solveAltcha(challenge);
      assert.deepEqual(await verifier.verify(solution), { ok: true });
    });

    test('an unknown tenant is a 404 problem', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/t/no-such-tenant/v1/captcha/challenge' });
      problemOf(res, 404, 'IAM_ERR_TENANT_NOT_FOUND');
    });
  });
}
