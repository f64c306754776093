import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createPasswordHasher, hashingThreadsPerProcess } from '../../src/users/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, type TenantFixture } from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

describe('password hashing', () => {
  const owasp = createPasswordHasher({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

  test('argon2id at OWASP parameters, recorded in the hash', async () => {
    const stored = await owasp.hash('correct horse battery staple');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.deepEqual(await owasp.verify(stored, 'correct horse battery staple'), {
      ok: true,
      needsRehash: false,
    });
    assert.deepEqual(await owasp.verify(stored, 'correct horse battery stapler'), {
      ok: false,
      needsRehash: false,
    });
  });

  test('a hash made with other parameters is flagged for rehashing on success only', async () => {
    const old = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 }).hash(
      'pw to upgrade',
    );
    assert.deepEqual(await owasp.verify(old, 'pw to upgrade'), { ok: true, needsRehash: true });
    assert.deepEqual(await owasp.verify(old, 'wrong'), { ok: false, needsRehash: false });
  });

  test('by default the hashing threads are one per core, shared among the worker processes', () => {
    assert.equal(hashingThreadsPerProcess(1, 2), 2);
    assert.equal(hashingThreadsPerProcess(2, 2), 1);
    assert.equal(hashingThreadsPerProcess(2, 8), 4);
    assert.equal(hashingThreadsPerProcess(3, 8), 3);
    assert.equal(hashingThreadsPerProcess(4, 2), 1, 'every process keeps one');
  });

  test('bcrypt ($2a$, $2b$, $2y$) verifies and asks for an upgrade; other formats never verify', async () => {
    const b = await bcryptHash('imported secret', 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      assert.deepEqual(
        await owasp.verify(b.replace(/^\$2[aby]\$/, prefix), 'imported secret'),
        { ok: true, needsRehash: true },
        prefix,
      );
    }
    assert.equal((await owasp.verify(b, 'other')).ok, false);
    for (const stored of ['plaintext', '$argon2i$v=19$m=8,t=1,p=1$abc$def', '$1$md5$crypt', '']) {
      assert.equal((await owasp.verify(stored, 'plaintext')).ok, false, stored);
    }
  });
});

for (const variant of VARIANTS) {
  describe(`importing users with existing hashes (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(() => t.close());
    const create = (payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/users',
        headers: { authorization: `Bearer ${acme.adminToken}` },
        payload: payload as object,
      });
    const storedHash = async (email: string) =>
      (
        await t.database.withTenant(acme.id, (trx) =>
          trx
            .selectFrom('users')
            .select('password_hash')
            .where('email', '=', email)
            .executeTakeFirstOrThrow(),
        )
      ).password_hash;

    test('a bcrypt user signs in and is upgraded to argon2id', async () => {
      const res = await create({
        email: 'legacy@example.com',
        password_hash: await bcryptHash('legacy password 1', 4),
        email_verified: true,
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.match(String(await storedHash('legacy@example.com')), /^\$2[aby]\$/);
      await assert.rejects(login(t.app, 'acme', 'legacy@example.com', 'wrong password'), /401/);
      assert.match(
        String(await storedHash('legacy@example.com')),
        /^\$2[aby]\$/,
        'a failed sign-in changes nothing',
      );
      assert.ok(await login(t.app, 'acme', 'legacy@example.com', 'legacy password 1'));
      assert.match(String(await storedHash('legacy@example.com')), /^\$argon2id\$/);
      assert.ok(await login(t.app, 'acme', 'legacy@example.com', 'legacy password 1'));
    });

    test('bad hashes are refused', async () => {
      problemOf(
        await create({ email: 'x1@example.com', password_hash: 'plaintext' }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await create({ email: 'x2@example.com', password_hash: '$1$abc$def' }),
        422,
        'IAM_ERR_VALIDATION',
      );
      const both = problemOf(
        await create({
          email: 'x3@example.com',
          password: 'a long enough password',
          password_hash: '$2b$04$1gIxyakqqGu1H1i08cDkK.20lk.aJNjIhPd/hvM03GPK9pgsrhYau',
        }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(both.errors, [
        { pointer: '/password_hash', message: 'cannot be sent with password', in: 'body' },
      ]);
    });
  });
}
