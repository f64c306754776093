import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createInvalidationFeed, type InvalidationFeed, recordInvalidation } from '../../src/events/index.ts';
import { createUserDirectory, recordLogin, type UserDirectory } from '../../src/users/index.ts';
import { updateUser } from '../../src/users/user-repository.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`user directory (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    // Two feeds and directories of this test's own stand for two processes; they poll by hand.
    let feeds: InvalidationFeed[];
    let one: UserDirectory;
    let two: UserDirectory;
    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      feeds = [0, 1].map(() =>
        createInvalidationFeed({ database: t.database, intervalMs: 60_000, now: () => new Date() }),
      );
      [one, two] = feeds.map((feed) => createUserDirectory({ database: t.database, feed })) as [
        UserDirectory,
        UserDirectory,
      ];
      for (const feed of feeds) await feed.poll();
    });
    after(() => t.close());

    const pollAll = () => Promise.all(feeds.map((feed) => feed.poll()));
    /** Changes the row behind the directories' backs: no change notice, as no writer of the service does. */
    const rename = (userId: string, name: string) =>
      t.database.withTenant(acme.id, (trx) =>
        trx
          .updateTable('users')
          .set({ name })
          .where('tenant_id', '=', acme.id)
          .where('id', '=', userId)
          .execute(),
      );
    const version = async (userId: string) =>
      (
        await t.database.withTenant(acme.id, (trx) =>
          trx
            .selectFrom('users')
            .select('version')
            .where('tenant_id', '=', acme.id)
            .where('id', '=', userId)
            .executeTakeFirstOrThrow(),
        )
      ).version;

    test('serves a user from memory, without the password hash, until a change notice arrives', async () => {
      const user = await createUser(t, acme.id);
      const first = await one.get(acme.id, user.id);
      assert.equal(first.email, user.email);
      assert.equal('password_hash' in first, false, 'the hash never enters the cache');
      assert.deepEqual(await one.state(acme.id, user.id), { active: true, email: user.email });

      await rename(user.id, 'Unannounced');
      assert.equal((await one.get(acme.id, user.id)).name, null, 'the copy in memory answers');

      const changed = await t.database.withTenant(acme.id, (trx) =>
        updateUser(
          trx,
          acme.id,
          user.id,
          Number(first.version),
          { name: 'Announced' },
          new Date().toISOString(),
        ),
      );
      assert.equal(changed, true);
      await pollAll();
      assert.equal((await one.get(acme.id, user.id)).name, 'Announced');
      assert.equal((await two.get(acme.id, user.id)).name, 'Announced', 'every process drops its copy');
    });

    test('a sign-in announces the new last_login_at to every process', async () => {
      const user = await createUser(t, acme.id);
      assert.equal((await two.get(acme.id, user.id)).last_login_at, null);
      const at = new Date().toISOString();
      await t.database.withTenant(acme.id, (trx) => recordLogin(trx, acme.id, user.id, at));
      await pollAll();
      assert.equal((await two.get(acme.id, user.id)).last_login_at, at);
    });

    test('a deactivation, a deletion and a suspended tenant end the user everywhere', async () => {
      const user = await createUser(t, acme.id);
      assert.equal((await two.state(acme.id, user.id)).active, true);
      const now = () => new Date().toISOString();
      await t.database.withTenant(acme.id, (trx) =>
        updateUser(trx, acme.id, user.id, 1, { status: 'deactivated' }, now()),
      );
      await pollAll();
      assert.deepEqual(await two.state(acme.id, user.id), { active: false, email: user.email });

      const current = await version(user.id);
      await t.database.withTenant(acme.id, (trx) =>
        updateUser(trx, acme.id, user.id, current, { deleted_at: now() }, now()),
      );
      await pollAll();
      assert.deepEqual(await two.state(acme.id, user.id), { active: false, email: null });
      await assert.rejects(two.get(acme.id, user.id), { code: 'IAM_ERR_USER_NOT_FOUND' });

      const other = await createUser(t, acme.id);
      await one.get(acme.id, other.id);
      await rename(other.id, 'Unannounced');
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      await t.database.transaction((trx) =>
        recordInvalidation(
          trx,
          { tenantId: acme.id, kind: 'tenant', subject: acme.id, notBefore: null, expiresAt },
          new Date(),
        ),
      );
      await pollAll();
      assert.equal((await one.get(acme.id, other.id)).name, 'Unannounced', 'the tenant’s users are reloaded');
    });

    test('a load under way when the notice arrives is not kept', async () => {
      const user = await createUser(t, acme.id);
      const loading = one.get(acme.id, user.id);
      const changed = t.database.withTenant(acme.id, (trx) =>
        updateUser(trx, acme.id, user.id, 1, { name: 'Raced' }, new Date().toISOString()),
      );
      await Promise.all([loading, changed]);
      await pollAll();
      assert.equal((await one.get(acme.id, user.id)).name, 'Raced');
    });

    test('malformed and unknown ids name nobody', async () => {
      assert.equal(await one.user(acme.id, 'not-a-uuid'), undefined);
      assert.equal(await one.user(acme.id, '0192a000-0000-7000-8000-000000000000'), undefined);
      assert.deepEqual(await one.state(acme.id, "x' OR '1'='1"), { active: false, email: null });
    });
  });
}
