import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createPasswordHasher } from '../../src/users/index.ts';

/** Nice values of this process's threads (Linux), from field 19 of /proc/self/task/<tid>/stat. */
function threadNiceness(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('password hashing on low-priority threads', () => {
  const pooled = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 }, { threads: 2 });
  after(() => pooled.close());

  test('hashes and verifies argon2id and imported bcrypt as the thread-pool hasher does', async () => {
    const stored = await pooled.hash('correct horse battery staple');
    assert.match(stored, /^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    assert.deepEqual(await pooled.verify(stored, 'correct horse battery staple'), {
      ok: true,
      needsRehash: false,
    });
    assert.deepEqual(await pooled.verify(stored, 'wrong'), { ok: false, needsRehash: false });
    const plain = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    assert.deepEqual(await pooled.verify(await plain.hash('either way'), 'either way'), {
      ok: true,
      needsRehash: false,
    });
    const imported = await bcryptHash('imported secret', 4);
    assert.deepEqual(await pooled.verify(imported, 'imported secret'), { ok: true, needsRehash: true });
    await pooled.verifyDummy('anything');
  });

  test('more jobs than threads all finish, each with its own answer', async () => {
    const passwords = Array.from({ length: 7 }, (_, i) => `password number ${i}`);
    const hashes = await Promise.all(passwords.map((p) => pooled.hash(p)));
    const checks = await Promise.all(
      hashes.map((h, i) => pooled.verify(h, passwords[(i + 1) % 7] as string)),
    );
    assert.deepEqual(
      checks.map((c) => c.ok),
      passwords.map(() => false),
    );
    assert.equal((await pooled.verify(hashes[3] as string, passwords[3] as string)).ok, true);
  });

  test('a malformed argon2id hash is refused, and the thread goes on working', async () => {
    await assert.rejects(pooled.verify('$argon2id$v=19$m=8192,t=1,p=1$bm90$bm90', 'x'));
    assert.equal((await pooled.verify(await pooled.hash('still here'), 'still here')).ok, true);
  });

  test('the hashing threads run below the event loop’s priority', {
    skip: process.platform !== 'linux',
  }, () => {
    const nice = threadNiceness();
    assert.equal(nice.filter((n) => n === 10).length, 2, `thread nice values: ${nice.join(',')}`);
    assert.ok(nice.includes(0), 'the event loop keeps the normal priority');
  });

  test('after close, jobs are refused', async () => {
    const closing = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 }, { threads: 1 });
    await closing.hash('start the thread');
    await closing.close();
    await assert.rejects(closing.hash('too late'), /closed/);
  });
});
