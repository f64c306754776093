import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Secret } from 'otpauth';
import { timeStep, totpCode } from '../../../src/mfa/totp.ts';
import { VARIANTS } from '../../support/databases.ts';
import {
  createTenantWithAdmin,
  createUser,
  type TenantFixture,
  type UserFixture,
} from '../../support/fixtures.ts';
import { login, startTestApp, type TestApp } from '../../support/test-app.ts';
import { call, patchSettings } from '../attacks/attack-support.ts';

// Second-factor codes and captcha payloads from outside: any `mfa/verify` or enrolment body, any
// `captcha` field, and any answer a third-party captcha verifier gives, is a 4xx problem or the
// correct result — never a 5xx, never a pass it should not be.

const RUNS = 120;
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const altchaLike = fc.record(
  {
    algorithm: fc.constantFrom('SHA-256', 'SHA-1', 'sha-256', 'MD5', ''),
    challenge: fc.oneof(hex64, fc.string({ maxLength: 70 })),
    number: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 5 }),
      fc.constant(Number.MAX_SAFE_INTEGER + 2),
    ),
    salt: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('abc?expires=1&'), fc.constant('x'.repeat(600))),
    signature: fc.oneof(hex64, fc.string({ maxLength: 70 })),
    took: fc.integer(),
  },
  { requiredKeys: [] },
);
const captchaField = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.base64String({ maxLength: 200 }),
  altchaLike.map((p) => Buffer.from(JSON.stringify(p)).toString('base64')),
  altchaLike.map((p) => JSON.stringify(p)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64')),
  fc.integer({ min: 4000, max: 5000 }).map((n) => 'A'.repeat(n)),
);
const verifierAnswer = fc.record({
  status: fc.constantFrom(200, 200, 200, 201, 204, 301, 400, 403, 500, 503),
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
    fc
      .record({
        success: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, null)),
        'error-codes': fc.jsonValue({ maxDepth: 1 }),
      })
      .map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 50 }),
    fc.constant('x'.repeat(70_000)),
  ),
});

for (const variant of VARIANTS) {
  describe(`fuzz: TOTP codes and captcha payloads (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let verifier: Server;
    let answer: { status: number; body: string } = { status: 200, body: '{}' };
    let nowMs = (timeStep(Date.now()) + 1) * 30_000 + 5_000;

    before(async () => {
      verifier = createServer((req, res) => {
        req.resume();
        req.on('end', () =>
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body),
        );
      });
      await new Promise<void>((resolve) => verifier.listen(0, '127.0.0.1', resolve));
      t = await startTestApp(variant, {
        clock: { now: () => new Date(nowMs) },
        env: { MFA_TOKEN_MAX_FAILURES: '100', MFA_USER_MAX_FAILURES: '1000' },
      });
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(async () => {
      await t.close();
      await new Promise<void>((resolve) => verifier.close(() => resolve()));
    });

    async function enrolled(): Promise<{ user: UserFixture; secret: Buffer }> {
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', user.email, user.password);
      const started = await call(t, 'POST', '/t/acme/v1/me/mfa/totp', { token });
      const secret = Buffer.from(Secret.fromBase32(started.json().secret).bytes);
      const ok = await call(t, 'POST', '/t/acme/v1/me/mfa/totp/confirm', {
        token,
        payload: { code: totpCode(secret, timeStep(nowMs)) },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      nowMs += 30_000;
      return { user, secret };
    }
    const validCodes = (secret: Buffer) =>
      new Set([-1, 0, 1].map((d) => totpCode(secret, timeStep(nowMs) + d)));

    test('mfa/verify: any body is a 4xx problem, and only a valid code signs in', async () => {
      const { user, secret } = await enrolled();
      const challenge = async () =>
        (
          await call(t, 'POST', '/t/acme/v1/auth/login', {
            payload: { email: user.email, password: user.password },
          })
        ).json().mfa_token as string;
      let mfaToken = await challenge();
      const body = fc.record(
        {
          mfa_token: fc.oneof(
            fc.constant('REAL'),
            fc.string({ maxLength: 140 }),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          code: fc.oneof(
            fc.stringMatching(/^[0-9]{6}$/),
            fc.string({ maxLength: 8 }),
            fc.integer(),
            fc.constant(null),
          ),
          recovery_code: fc.oneof(
            fc.stringMatching(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/),
            fc.string({ maxLength: 40 }),
          ),
          refresh_token_delivery: fc.constantFrom('body', 'cookie', 'header'),
          extra: fc.jsonValue({ maxDepth: 1 }),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const sent = { ...payload, ...(payload.mfa_token === 'REAL' ? { mfa_token: mfaToken } : {}) };
          const res = await call(t, 'POST', '/t/acme/v1/auth/mfa/verify', { payload: sent });
          assert.ok(res.statusCode < 500, `${JSON.stringify(sent)}: ${res.statusCode} ${res.body}`);
          if (res.statusCode === 200) {
            assert.ok(
              typeof sent.code === 'string' && validCodes(secret).has(sent.code),
              `signed in with ${JSON.stringify(sent)}`,
            );
            mfaToken = await challenge();
            nowMs += 30_000;
            return;
          }
          assert.ok(res.statusCode >= 400, String(res.statusCode));
          assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
          if (res.json().code === 'IAM_ERR_MFA_TOKEN_INVALID' && payload.mfa_token === 'REAL')
            mfaToken = await challenge();
        }),
        { numRuns: RUNS },
      );
    });

    test('enrolment confirm: any code is a 4xx problem unless it is the current one', async () => {
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', user.email, user.password);
      const started = await call(t, 'POST', '/t/acme/v1/me/mfa/totp', { token });
      const secret = Buffer.from(Secret.fromBase32(started.json().secret).bytes);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.stringMatching(/^[0-9]{6}$/),
            fc.string({ maxLength: 10 }),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          async (code) => {
            const res = await call(t, 'POST', '/t/acme/v1/me/mfa/totp/confirm', { token, payload: { code } });
            assert.ok(res.statusCode < 500, `${JSON.stringify(code)}: ${res.statusCode}`);
            if (res.statusCode === 200) assert.ok(typeof code === 'string' && validCodes(secret).has(code));
          },
        ),
        { numRuns: RUNS / 2 },
      );
    });

    test('the ALTCHA gate: any captcha field is refused with a 4xx problem and never lets the sign-in through', async () => {
      await patchSettings(t, 'acme', acme.adminToken, {
        captcha: { account_threshold: 1, ip_threshold: 100_000 },
      });
      const victim = await createUser(t, acme.id);
      const signIn = (captcha?: string) =>
        call(t, 'POST', '/t/acme/v1/auth/login', {
          payload: {
            email: victim.email,
            password: victim.password,
            ...(captcha === undefined ? {} : { captcha }),
          },
        });
      await call(t, 'POST', '/t/acme/v1/auth/login', { payload: { email: victim.email, password: 'wrong' } });
      assert.equal((await signIn()).json().code, 'IAM_ERR_CAPTCHA_REQUIRED');
      await fc.assert(
        fc.asyncProperty(captchaField, async (captcha) => {
          const res = await signIn(captcha);
          assert.ok(
            res.statusCode >= 400 && res.statusCode < 500,
            `${captcha.slice(0, 60)}: ${res.statusCode}`,
          );
          // An empty field counts as none: the demand is repeated.
          assert.ok(
            ['IAM_ERR_CAPTCHA_INVALID', 'IAM_ERR_CAPTCHA_REQUIRED', 'IAM_ERR_VALIDATION'].includes(
              res.json().code,
            ),
            res.body,
          );
        }),
        { numRuns: RUNS },
      );
    });

    test('a third-party verifier: any answer but 200 {"success": true} fails closed, never a 5xx', async () => {
      await patchSettings(t, 'acme', acme.adminToken, {
        captcha: {
          account_threshold: 1,
          provider: 'turnstile',
          secret_key: 'fuzz-secret',
          verify_url: `http://127.0.0.1:${(verifier.address() as { port: number }).port}/verify`,
        },
      });
      const victim = await createUser(t, acme.id);
      await call(t, 'POST', '/t/acme/v1/auth/login', { payload: { email: victim.email, password: 'wrong' } });
      await fc.assert(
        fc.asyncProperty(
          verifierAnswer,
          fc.string({ minLength: 1, maxLength: 100 }),
          async (given, captcha) => {
            answer = given;
            const res = await call(t, 'POST', '/t/acme/v1/auth/login', {
              payload: { email: victim.email, password: 'still wrong', captcha },
            });
            assert.ok(res.statusCode < 500, `${JSON.stringify(given).slice(0, 100)}: ${res.statusCode}`);
            let success = false;
            try {
              success = given.status === 200 && JSON.parse(given.body).success === true;
            } catch {}
            const code = res.json().code;
            if (success) assert.equal(code, 'IAM_ERR_INVALID_CREDENTIALS', res.body);
            else
              assert.equal(
                code,
                'IAM_ERR_CAPTCHA_INVALID',
                `${JSON.stringify(given).slice(0, 100)}: ${res.body}`,
              );
          },
        ),
        { numRuns: RUNS / 2 },
      );
    });
  });
}
