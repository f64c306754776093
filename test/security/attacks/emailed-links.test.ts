import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../../support/databases.ts';
import {
  countEvents,
  createTenantWithAdmin,
  createUser,
  linkTokenOf,
  snapshot,
  type TenantFixture,
  waitForEvent,
} from '../../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../../support/test-app.ts';
import { call } from './attack-support.ts';

// Password-reset, verification and invitation links (docs/users.md "Emailed links"): guessed tokens
// are refused and change nothing, a used link stays used (also when two uses race), and a link is good
// only for its own purpose and tenant.

const NEW_PASSWORD = 'an entirely fresh passphrase';

for (const variant of VARIANTS) {
  describe(`attack: guessing and reusing emailed links (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
    });
    after(() => t.close());

    const post = (path: string, payload: object, slug = 'acme') =>
      call(t, 'POST', `/t/${slug}/v1/auth/${path}`, { payload });
    async function resetToken(email: string) {
      const count = await countEvents(t, 'user.password_reset_requested');
      assert.equal((await post('password/forgot', { email })).statusCode, 202);
      await waitForEvent(t, 'user.password_reset_requested', count + 1);
      return linkTokenOf(t, 'user.password_reset_requested');
    }

    test('guessed tokens of every shape are refused on every link route and change nothing', async () => {
      const ann = await createUser(t, acme.id);
      const real = await resetToken(ann.email);
      const guesses = [
        randomBytes(32).toString('base64url'),
        randomBytes(32).toString('hex').slice(0, 43),
        real.slice(0, -1),
        `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
        real.toUpperCase() === real ? real.toLowerCase() : real.toUpperCase(),
        "' OR '1'='1",
        '%',
        '*',
        '../../',
        'x',
      ];
      const before = await snapshot(t, acme.id);
      for (const token of guesses) {
        problemOf(
          await post('password/reset', { token, password: NEW_PASSWORD }),
          400,
          'IAM_ERR_LINK_INVALID',
        );
        problemOf(await post('verify-email', { token }), 400, 'IAM_ERR_LINK_INVALID');
        problemOf(
          await post('invitation/accept', { token, password: NEW_PASSWORD }),
          400,
          'IAM_ERR_LINK_INVALID',
        );
      }
      assert.deepEqual(await snapshot(t, acme.id), before);
      // The real link still works, after all that guessing.
      assert.equal((await post('password/reset', { token: real, password: NEW_PASSWORD })).statusCode, 204);
      assert.ok(await login(t.app, 'acme', ann.email, NEW_PASSWORD));
    });

    test('a used reset link stays used; two racing uses set one password', async () => {
      const bob = await createUser(t, acme.id);
      const token = await resetToken(bob.email);
      const answers = await Promise.all(
        ['first racing passphrase', 'second racing passphrase'].map((password) =>
          post('password/reset', { token, password }),
        ),
      );
      for (const a of answers) assert.ok(a.statusCode < 500, a.body);
      assert.deepEqual(
        answers.map((a) => a.statusCode).sort(),
        [204, 400],
        answers.map((a) => a.body).join(' | '),
      );
      const before = await snapshot(t, acme.id);
      problemOf(await post('password/reset', { token, password: NEW_PASSWORD }), 400, 'IAM_ERR_LINK_USED');
      assert.deepEqual(await snapshot(t, acme.id), before);
      await assert.rejects(login(t.app, 'acme', bob.email, NEW_PASSWORD), /401/);
    });

    test('a link is good only for its own purpose and its own tenant', async () => {
      const cat = await createUser(t, acme.id);
      const token = await resetToken(cat.email);
      const before = await snapshot(t, globex.id);
      problemOf(
        await post('password/reset', { token, password: NEW_PASSWORD }, 'globex'),
        400,
        'IAM_ERR_LINK_INVALID',
      );
      assert.deepEqual(await snapshot(t, globex.id), before);
      problemOf(await post('verify-email', { token }), 400, 'IAM_ERR_LINK_INVALID');
      problemOf(
        await post('invitation/accept', { token, password: NEW_PASSWORD }),
        400,
        'IAM_ERR_LINK_INVALID',
      );

      // An invitation token does not reset someone else's password, and works once.
      const invited = await call(t, 'POST', '/t/acme/v1/users', {
        token: acme.adminToken,
        payload: { email: 'invitee@acme.test' },
      });
      assert.equal(invited.statusCode, 201, invited.body);
      const invitation = await linkTokenOf(t, 'user.invited');
      problemOf(
        await post('password/reset', { token: invitation, password: NEW_PASSWORD }),
        400,
        'IAM_ERR_LINK_INVALID',
      );
      assert.equal(
        (await post('invitation/accept', { token: invitation, password: NEW_PASSWORD })).statusCode,
        204,
      );
      problemOf(
        await post('invitation/accept', { token: invitation, password: 'yet another passphrase' }),
        400,
        'IAM_ERR_LINK_USED',
      );
      assert.ok(await login(t.app, 'acme', 'invitee@acme.test', NEW_PASSWORD));
    });

    test('a newer reset link supersedes the older one, and a reset ends every session', async () => {
      const dan = await createUser(t, acme.id, { roles: ['user'] });
      const session = await login(t.app, 'acme', dan.email, dan.password);
      const old = await resetToken(dan.email);
      const fresh = await resetToken(dan.email);
      problemOf(
        await post('password/reset', { token: old, password: NEW_PASSWORD }),
        400,
        'IAM_ERR_LINK_SUPERSEDED',
      );
      assert.equal((await post('password/reset', { token: fresh, password: NEW_PASSWORD })).statusCode, 204);
      problemOf(await call(t, 'GET', '/t/acme/v1/me', { token: session }), 401, 'IAM_ERR_UNAUTHENTICATED');
    });
  });
}
