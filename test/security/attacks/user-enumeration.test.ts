import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { VARIANTS } from '../../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../../support/fixtures.ts';
import { startTestApp, type TestApp } from '../../support/test-app.ts';
import { call, patchSettings, QUIET_GUARDS } from './attack-support.ts';

// Telling who has an account (docs/users.md "Not telling who has an account"): sign-in, registration,
// password-forgot and resend-verification answer alike for known and unknown addresses — in status,
// body and (for sign-in) time taken.

/** The parts of an answer that may tell the cases apart: everything but the per-request id. */
function comparable(res: LightMyRequestResponse) {
  const { request_id: _id, ...body } = res.json() as Record<string, unknown>;
  const { 'x-request-id': _rid, date: _date, ...headers } = res.headers;
  return { status: res.statusCode, body, headers };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

for (const variant of VARIANTS) {
  describe(`attack: user enumeration (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    before(async () => {
      // Production argon2 parameters (OWASP), so that a skipped hash on one path would stand out from
      // the noise; the timing test's user registers, so its hash has these parameters too.
      t = await startTestApp(variant, { env: { ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '3' } });
      acme = await createTenantWithAdmin(t, 'acme');
      await patchSettings(t, 'acme', acme.adminToken, QUIET_GUARDS);
    });
    after(() => t.close());

    const post = (path: string, payload: object) => call(t, 'POST', `/t/acme/v1/auth/${path}`, { payload });
    const signIn = (email: string, password: string) => post('login', { email, password });

    test('sign-in: unknown address, wrong password, deactivated and deleted users get one answer', async () => {
      const ann = await createUser(t, acme.id, { roles: ['user'] });
      const off = await createUser(t, acme.id, { roles: ['user'] });
      const gone = await createUser(t, acme.id, { roles: ['user'] });
      await call(t, 'POST', `/t/acme/v1/users/${off.id}/deactivate`, {
        token: acme.adminToken,
        payload: { reason: 'x' },
      });
      await call(t, 'DELETE', `/t/acme/v1/users/${gone.id}`, { token: acme.adminToken });
      const reference = comparable(await signIn(ann.email, 'wrong password here'));
      assert.equal(reference.status, 401);
      assert.equal(reference.body.code, 'IAM_ERR_INVALID_CREDENTIALS');
      for (const [what, email, password] of [
        ['unknown address', 'nobody-at-all@example.test', 'wrong password here'],
        ['unknown address, other case', 'NOBODY@EXAMPLE.TEST', 'wrong password here'],
        ['deactivated user, right password', off.email, off.password],
        ['deleted user, right password', gone.email, gone.password],
        ['known address in capitals', ann.email.toUpperCase(), 'wrong password here'],
      ] as const) {
        assert.deepEqual(comparable(await signIn(email, password)), reference, what);
      }
    });

    test('registration answers the same for a taken address, in any case or with spaces', async () => {
      const ann = await createUser(t, acme.id);
      const fresh = await post('register', {
        email: 'brand-new@example.test',
        password: 'a long and uncommon passphrase',
      });
      assert.equal(fresh.statusCode, 202, fresh.body);
      for (const email of [ann.email, ann.email.toUpperCase(), `  ${ann.email} `]) {
        const taken = await post('register', { email, password: 'a long and uncommon passphrase' });
        assert.deepEqual(comparable(taken), comparable(fresh), email);
      }
    });

    test('password-forgot and resend-verification answer 202 with one body for known and unknown', async () => {
      const ann = await createUser(t, acme.id);
      for (const path of ['password/forgot', 'verify-email/resend']) {
        const known = comparable(await post(path, { email: ann.email }));
        assert.equal(known.status, 202);
        assert.deepEqual(comparable(await post(path, { email: 'nobody-else@example.test' })), known, path);
      }
    });

    test('sign-in takes as long for an unknown address as for a wrong password (medians, interleaved)', async () => {
      const email = 'timing-subject@example.test';
      const registered = await post('register', { email, password: 'the timing subject passphrase' });
      assert.equal(registered.statusCode, 202, registered.body);
      const timed = async (email: string) => {
        const start = process.hrtime.bigint();
        const res = await signIn(email, 'not the password at all');
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        assert.equal(res.statusCode, 401, res.body);
        return ms;
      };
      // Warm-up: JIT, the dummy hash, connection pools and caches on both paths.
      for (let i = 0; i < 8; i++) {
        await timed(email);
        await timed(`warm-${i}@example.test`);
      }
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 40; i++) {
        // Alternate which goes first so drift (GC, other work) falls on both sides.
        if (i % 2 === 0) {
          known.push(await timed(email));
          unknown.push(await timed(`nobody-${i}@example.test`));
        } else {
          unknown.push(await timed(`nobody-${i}@example.test`));
          known.push(await timed(email));
        }
      }
      const [a, b] = [median(known), median(unknown)];
      const margin = Math.max(15, 0.35 * Math.max(a, b));
      assert.ok(
        Math.abs(a - b) <= margin,
        `median wrong-password ${a.toFixed(1)} ms vs unknown-address ${b.toFixed(1)} ms (margin ${margin.toFixed(1)} ms)`,
      );
    });
  });
}
