import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import type { Database } from '../../src/db/index.ts';
import { appendEvent } from '../../src/events/outbox.ts';
import { createOutboxRelay } from '../../src/events/outbox-relay.ts';
import { createDatabaseQueue } from '../../src/events/queue/database-queue.ts';
import type { QueueBackend, QueuedEvent } from '../../src/events/queue/queue-port.ts';
import { createRetryPolicy } from '../../src/events/queue/retry-policy.ts';
import { VARIANTS } from '../support/databases.ts';
import { memoryLog, openTestDatabase, recorder, type TestDatabase, waitFor } from './queue-support.ts';

/** A queue that records what it was given; `gate` runs before each publish (fail, stall). */
function fakeQueue(gate: (events: readonly QueuedEvent[]) => Promise<void> = async () => {}) {
  const batches: QueuedEvent[][] = [];
  const queue: QueueBackend = {
    start: async () => {},
    stop: async () => {},
    redeliver: async () => {},
    async publish(events) {
      await gate(events);
      batches.push([...events]);
    },
  };
  return { queue, batches, ids: () => batches.flat().map((e) => e.id) };
}

// Distinct, increasing occurrence times, so the expected order is the order of appending.
let tick = Date.parse('2030-01-01T00:00:00.000Z');
function nextTime(): Date {
  tick += 1;
  return new Date(tick);
}

async function append(database: Database, count: number): Promise<string[]> {
  return database.transaction(async (trx) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(
        await appendEvent(
          trx,
          { type: 'tenant.updated', tenantId: null, payload: { n: i, display_name: 'x' } },
          nextTime(),
        ),
      );
    }
    return ids;
  });
}

async function outboxRows(database: Database, ids: string[]) {
  return database.db.selectFrom('outbox').selectAll().where('id', 'in', ids).orderBy('id').execute();
}

for (const variant of VARIANTS) {
  describe(`outbox relay (${variant})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(variant);
    });
    after(async () => {
      await t?.close();
    });

    // Each test starts from an empty outbox (bootstrap events included), so batches are its own.
    const clearOutbox = () => t.database.db.deleteFrom('outbox').execute();

    test('committed events reach the queue in order and are marked published', async () => {
      await clearOutbox();
      const fake = fakeQueue();
      const relay = createOutboxRelay({
        database: t.database,
        queue: fake.queue,
        clock: systemClock,
        batchSize: 2,
        pollMs: 20,
      });
      const ids = [...(await append(t.database, 3)), ...(await append(t.database, 2))];
      await relay.flush();
      assert.deepEqual(fake.ids(), ids);
      assert.ok(fake.batches.every((b) => b.length <= 2));
      const [first] = fake.batches.flat();
      assert.equal(first?.type, 'tenant.updated');
      assert.equal(first?.version, 1);
      assert.deepEqual(first?.payload, { n: 0, display_name: 'x' });
      const rows = await outboxRows(t.database, ids);
      assert.ok(rows.every((r) => r.published_at !== null));
    });

    test("a rolled-back transaction's event is never delivered", async () => {
      await clearOutbox();
      const fake = fakeQueue();
      const relay = createOutboxRelay({
        database: t.database,
        queue: fake.queue,
        clock: systemClock,
        batchSize: 10,
        pollMs: 20,
      });
      let rolledBack = '';
      await assert.rejects(
        t.database.transaction(async (trx) => {
          rolledBack = await appendEvent(
            trx,
            { type: 'tenant.updated', tenantId: null, payload: {} },
            nextTime(),
          );
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      const committed = await append(t.database, 1);
      await relay.flush();
      assert.deepEqual(fake.ids(), committed);
      assert.deepEqual(await outboxRows(t.database, [rolledBack]), []);
    });

    test('a failing publish leaves the events pending; they go out later', async () => {
      await clearOutbox();
      let down = true;
      const fake = fakeQueue(async () => {
        if (down) throw new Error('broker unreachable');
      });
      const log = memoryLog();
      const relay = createOutboxRelay({
        database: t.database,
        queue: fake.queue,
        clock: systemClock,
        batchSize: 10,
        pollMs: 20,
        maxBackoffMs: 100,
        log,
      });
      const ids = await append(t.database, 3);
      await assert.rejects(relay.flush(), /broker unreachable/);
      let rows = await outboxRows(t.database, ids);
      assert.ok(rows.every((r) => r.published_at === null && Number(r.attempts) === 1));

      // The running relay backs off while the queue is down and publishes once it is back.
      relay.start();
      await waitFor('a logged failure', () => log.lines.some((l) => /could not publish/.test(l.message)));
      down = false;
      await waitFor('the publish', () => fake.ids().length === 3);
      await relay.stop();
      assert.deepEqual(fake.ids(), ids);
      rows = await outboxRows(t.database, ids);
      assert.ok(rows.every((r) => r.published_at !== null));
    });

    test('through the database queue: moved in the same transaction and delivered', async () => {
      await clearOutbox();
      const consumer = recorder('relay-consumer', ['tenant.updated']);
      const queue = createDatabaseQueue({
        database: t.database,
        clock: systemClock,
        prefetch: 16,
        pollMs: 20,
        retry: createRetryPolicy({ maxAttempts: 3, baseMs: 10, maxMs: 10 }),
      });
      await queue.start([consumer]);
      const relay = createOutboxRelay({
        database: t.database,
        queue,
        clock: systemClock,
        batchSize: 7,
        pollMs: 20,
      });
      relay.start();
      const ids = await append(t.database, 20);
      relay.wake();
      await waitFor('every delivery', () => consumer.handled.length >= 20);
      await relay.stop();
      await queue.stop();
      assert.deepEqual(consumer.handled.map((e) => e.id).sort(), [...ids].sort());
      const rows = await outboxRows(t.database, ids);
      assert.ok(rows.every((r) => r.published_at !== null));
      const left = await t.database.db.selectFrom('queue_messages').selectAll().execute();
      assert.deepEqual(left, []);
    });

    const onlyPostgres = variant === 'postgres' ? false : 'several relays share PostgreSQL only';
    test('two relays never publish the same rows at once, and lose none', {
      skip: onlyPostgres,
    }, async () => {
      await clearOutbox();
      const ids = await append(t.database, 300);
      // Relay A holds its first batch (and its row locks) until relay B has published: B must have
      // skipped A's rows to get there.
      let aHolding = false;
      const b = fakeQueue();
      const a = fakeQueue(async () => {
        if (a.batches.length > 0) return;
        aHolding = true;
        await waitFor('relay B to publish', () => b.batches.length > 0, 20_000);
      });
      const relayA = createOutboxRelay({
        database: t.database,
        queue: a.queue,
        clock: systemClock,
        batchSize: 50,
        pollMs: 20,
      });
      const relayB = createOutboxRelay({
        database: t.openAnother(),
        queue: b.queue,
        clock: systemClock,
        batchSize: 50,
        pollMs: 20,
      });
      const flushA = relayA.flush();
      await waitFor('relay A to hold a batch', () => aHolding);
      await relayB.flush();
      await flushA;
      const aFirst = new Set(a.batches[0]?.map((e) => e.id));
      assert.equal(aFirst.size, 50);
      assert.ok(
        b.ids().every((id) => !aFirst.has(id)),
        "B never published A's locked batch",
      );
      const all = [...a.ids(), ...b.ids()];
      assert.equal(all.length, new Set(all).size, 'no event published twice');
      assert.deepEqual([...all].sort(), [...ids].sort(), 'no event lost');
      const rows = await outboxRows(t.database, ids);
      assert.ok(rows.every((r) => r.published_at !== null));
    });
  });
}
