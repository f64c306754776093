import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { uuidv7 } from '../../src/db/index.ts';
import {
  type DeadLetter,
  deadLetterKey,
  deleteDeadLetter,
  deleteDeadLetters,
  getDeadLetter,
  insertDeadLetter,
  listDeadLetters,
  type NewDeadLetter,
  takeDeadLetters,
} from '../../src/events/queue/dead-letter-store.ts';
import { VARIANTS } from '../support/databases.ts';
import { openTestDatabase, type TestDatabase } from './queue-support.ts';

const T1 = uuidv7();
const T2 = uuidv7();

// Twelve letters: tenants T1, T2 and none; consumers mailer and webhooks; one per minute.
function letters(): NewDeadLetter[] {
  const tenants = [T1, T2, null];
  return Array.from({ length: 12 }, (_, i) => ({
    id: uuidv7(),
    consumer: i % 2 === 0 ? 'mailer' : 'webhooks',
    event_id: uuidv7(),
    tenant_id: tenants[i % 3] ?? null,
    type: i % 4 === 0 ? 'user.invited' : 'user.created',
    body: `{"n":${i}}`,
    error: 'Error: smtp down',
    attempts: 6,
    first_attempt_at: new Date(Date.UTC(2030, 0, 1, 0, i)).toISOString(),
    failed_at: new Date(Date.UTC(2030, 0, 1, 1, i)).toISOString(),
  }));
}

for (const variant of VARIANTS) {
  describe(`dead-letter store (${variant})`, () => {
    let t: TestDatabase;
    let stored: DeadLetter[];
    before(async () => {
      t = await openTestDatabase(variant);
    });
    after(async () => {
      await t?.close();
    });
    beforeEach(async () => {
      await t.database.db.deleteFrom('dead_letters').execute();
      stored = [];
      for (const letter of letters()) {
        await insertDeadLetter(t.database.db, letter);
        stored.push(letter as DeadLetter);
      }
    });

    const db = () => t.database.db;
    const newestFirst = (rows: DeadLetter[]) =>
      [...rows].sort((a, b) => b.failed_at.localeCompare(a.failed_at)).map((r) => r.id);
    const ids = (rows: DeadLetter[]) => rows.map((r) => r.id);

    test('the platform scope lists every tenant, newest first, with every column', async () => {
      const rows = await listDeadLetters(db(), null, { limit: 50 });
      assert.deepEqual(ids(rows), newestFirst(stored));
      assert.deepEqual(
        rows.find((r) => r.id === stored[0]?.id),
        stored[0],
      );
    });

    test("a tenant sees only its own letters, never another tenant's or platform ones", async () => {
      const own = stored.filter((l) => l.tenant_id === T1);
      assert.deepEqual(ids(await listDeadLetters(db(), T1, { limit: 50 })), newestFirst(own));
      assert.deepEqual(await listDeadLetters(db(), T1, { limit: 50, filter: { tenantId: T2 } }), []);
      const other = stored.find((l) => l.tenant_id === T2);
      const platform = stored.find((l) => l.tenant_id === null);
      assert.ok(other && platform);
      assert.equal(await getDeadLetter(db(), T1, other.id), undefined);
      assert.equal(await getDeadLetter(db(), T1, platform.id), undefined);
      assert.equal((await getDeadLetter(db(), T2, other.id))?.id, other.id);
      assert.equal(await deleteDeadLetter(db(), T1, other.id), false);
      assert.equal(await deleteDeadLetters(db(), T1, { tenantId: T2 }), 0);
      assert.deepEqual(await takeDeadLetters(db(), T1, {}, { ids: [other.id] }), []);
      assert.equal((await listDeadLetters(db(), null, { limit: 50 })).length, 12, 'nothing left the table');
    });

    test('filters by consumer, type, tenant and time, and combines them', async () => {
      const check = async (filter: Parameters<typeof listDeadLetters>[2]['filter'], want: DeadLetter[]) =>
        assert.deepEqual(ids(await listDeadLetters(db(), null, { limit: 50, filter })), newestFirst(want));
      await check(
        { consumer: 'mailer' },
        stored.filter((l) => l.consumer === 'mailer'),
      );
      await check(
        { type: 'user.invited' },
        stored.filter((l) => l.type === 'user.invited'),
      );
      await check(
        { tenantId: T2 },
        stored.filter((l) => l.tenant_id === T2),
      );
      const from = '2030-01-01T01:03:00.000Z';
      const to = '2030-01-01T01:07:00.000Z';
      await check(
        { failedFrom: from, failedTo: to },
        stored.filter((l) => l.failed_at >= from && l.failed_at < to),
      );
      await check(
        { consumer: 'mailer', tenantId: T1, failedFrom: from },
        stored.filter((l) => l.consumer === 'mailer' && l.tenant_id === T1 && l.failed_at >= from),
      );
    });

    test('pages follow the keyset to the end without gaps or repeats', async () => {
      const seen: string[] = [];
      let after: ReturnType<typeof deadLetterKey> | undefined;
      for (let page = 0; page < 10; page++) {
        const rows = await listDeadLetters(db(), null, { limit: 5, ...(after ? { after } : {}) });
        const shown = rows.slice(0, 5);
        seen.push(...ids(shown));
        if (rows.length <= 5) break;
        after = deadLetterKey(shown.at(-1) as DeadLetter);
      }
      assert.deepEqual(seen, newestFirst(stored));
      const own = await listDeadLetters(db(), T1, { limit: 2 });
      assert.equal(own.length, 3, 'limit + 1 rows tell that a next page exists');
    });

    test('delete by id and purge by filter report what they removed', async () => {
      const first = stored[0] as DeadLetter;
      assert.equal(await deleteDeadLetter(db(), null, first.id), true);
      assert.equal(await deleteDeadLetter(db(), null, first.id), false);
      assert.equal(await deleteDeadLetter(db(), null, 'not-a-uuid'), false);
      const mailerT1 = stored.filter((l) => l.consumer === 'mailer' && l.tenant_id === T1 && l !== first);
      assert.equal(await deleteDeadLetters(db(), T1, { consumer: 'mailer' }), mailerT1.length);
      assert.equal(await deleteDeadLetters(db(), null, {}), 12 - 1 - mailerT1.length);
      assert.deepEqual(await listDeadLetters(db(), null, { limit: 50 }), []);
    });

    test('taking for replay removes and returns, oldest first, once', async () => {
      const mailer = stored.filter((l) => l.consumer === 'mailer');
      const taken = await takeDeadLetters(db(), null, { consumer: 'mailer' }, { limit: 4 });
      assert.deepEqual(
        ids(taken),
        mailer.slice(0, 4).map((l) => l.id),
      );
      assert.deepEqual(taken[0], mailer[0]);
      const rest = await takeDeadLetters(db(), null, { consumer: 'mailer' });
      assert.equal(rest.length, mailer.length - 4);
      assert.deepEqual(await takeDeadLetters(db(), null, { consumer: 'mailer' }), []);
    });

    test('a stored id is stored once; malformed ids and scopes match nothing', async () => {
      const again = { ...(stored[0] as DeadLetter), error: 'second copy' };
      await insertDeadLetter(db(), again);
      assert.equal((await getDeadLetter(db(), null, again.id))?.error, 'Error: smtp down');
      assert.deepEqual(await listDeadLetters(db(), 'nope', { limit: 5 }), []);
      assert.deepEqual(await listDeadLetters(db(), null, { limit: 5, filter: { tenantId: 'nope' } }), []);
      assert.deepEqual(await listDeadLetters(db(), null, { limit: 5, after: ['yesterday', 'x'] }), []);
      assert.equal(await getDeadLetter(db(), null, 'nope'), undefined);
      assert.equal(await deleteDeadLetters(db(), 'nope', {}), 0);
    });
  });
}
