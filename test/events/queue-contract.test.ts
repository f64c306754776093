// One behaviour, two backends: the same cases run against the database queue on every database
// variant and against RabbitMQ (its dead letters drained into a SQLite database).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { createAmqpQueue } from '../../src/events/queue/amqp-queue.ts';
import { createDatabaseQueue } from '../../src/events/queue/database-queue.ts';
import {
  type DeadLetter,
  insertDeadLetter,
  listDeadLetters,
  replayDeadLetters,
} from '../../src/events/queue/dead-letter-store.ts';
import { idempotentConsumer } from '../../src/events/queue/idempotent-consumer.ts';
import { encodeEvent } from '../../src/events/queue/message-codec.ts';
import type { EventConsumer, QueueBackend } from '../../src/events/queue/queue-port.ts';
import { createRetryPolicy, type RetryOptions } from '../../src/events/queue/retry-policy.ts';
import { VARIANTS } from '../support/databases.ts';
import {
  AMQP_URL,
  amqpPrefix,
  amqpSkip,
  consumerName,
  deleteAmqp,
  memoryLog,
  openTestDatabase,
  recorder,
  sampleEvent,
  type TestDatabase,
  waitFor,
} from './queue-support.ts';

// Tiny delays: the cases check what happens, never how long it takes.
const QUICK: RetryOptions = { maxAttempts: 3, baseMs: 10, maxMs: 40 };

interface Harness {
  db: TestDatabase;
  /** A started queue delivering to `consumers`; stopped (and its broker objects removed) after the suite. */
  start(consumers: EventConsumer[], retry?: RetryOptions): Promise<QueueBackend>;
  close(): Promise<void>;
}

async function databaseHarness(variant: (typeof VARIANTS)[number]): Promise<Harness> {
  const db = await openTestDatabase(variant);
  const queues: QueueBackend[] = [];
  return {
    db,
    async start(consumers, retry = QUICK) {
      const queue = createDatabaseQueue({
        database: db.database,
        clock: systemClock,
        prefetch: 8,
        pollMs: 20,
        retry: createRetryPolicy(retry),
      });
      await queue.start(consumers);
      queues.push(queue);
      return queue;
    },
    async close() {
      for (const queue of queues) await queue.stop();
      await db.close();
    },
  };
}

async function amqpHarness(): Promise<Harness> {
  const db = await openTestDatabase('sqlite');
  const started: { queue: QueueBackend; prefix: string; consumers: EventConsumer[]; retry: RetryOptions }[] =
    [];
  return {
    db,
    async start(consumers, retry = QUICK) {
      const prefix = amqpPrefix();
      const queue = createAmqpQueue({
        url: AMQP_URL,
        prefix,
        prefetch: 8,
        retry: createRetryPolicy(retry),
        deadLetters: async (letter) => {
          await insertDeadLetter(db.database.db, letter);
        },
        log: memoryLog(),
      });
      await queue.start(consumers);
      started.push({ queue, prefix, consumers, retry });
      return queue;
    },
    async close() {
      for (const s of started) {
        await s.queue.stop();
        await deleteAmqp(s.prefix, s.consumers, createRetryPolicy(s.retry));
      }
      await db.close();
    },
  };
}

const backends = [
  ...VARIANTS.map((variant) => ({
    label: `database queue on ${variant}`,
    skip: false as const,
    open: () => databaseHarness(variant),
  })),
  { label: 'RabbitMQ', skip: amqpSkip, open: amqpHarness },
];

for (const backend of backends) {
  describe(`queue contract: ${backend.label}`, { skip: backend.skip }, () => {
    let h: Harness;
    before(async () => {
      h = await backend.open();
    });
    after(async () => {
      await h?.close();
    });

    const deadLetters = (consumer: string): Promise<DeadLetter[]> =>
      listDeadLetters(h.db.database.db, null, { limit: 100, filter: { consumer } });

    test('an event reaches every subscribed consumer once and no other', async () => {
      const created = recorder(consumerName('created'), ['user.created']);
      const both = recorder(consumerName('both'), ['user.created', 'user.updated']);
      const all = recorder(consumerName('all'), '*');
      const tenants = recorder(consumerName('tenants'), ['tenant.created']);
      const queue = await h.start([created, both, all, tenants]);
      const first = sampleEvent({ type: 'user.created' });
      const second = sampleEvent({ type: 'user.updated', payload: { fields: ['name'] } });
      await queue.publish([first, second]);
      await waitFor('deliveries', () => created.calls >= 1 && both.calls >= 2 && all.calls >= 2);
      await queue.stop();
      const ids = (r: typeof created) => r.handled.map((e) => e.id).sort();
      assert.deepEqual(ids(created), [first.id]);
      assert.deepEqual(ids(both), [first.id, second.id].sort());
      assert.deepEqual(ids(all), [first.id, second.id].sort());
      assert.deepEqual(ids(tenants), []);
      assert.deepEqual(
        all.handled.find((e) => e.id === first.id),
        first,
        'the consumer receives the event as published',
      );
    });

    test('a consumer that throws is retried with back-off and then succeeds', async () => {
      const flaky = recorder(consumerName('flaky'), ['user.created'], (_event, call) => call <= 2);
      const queue = await h.start([flaky], { maxAttempts: 4, baseMs: 10, maxMs: 40 });
      const event = sampleEvent();
      await queue.publish([event]);
      await waitFor('the third attempt', () => flaky.handled.length === 1);
      await queue.stop();
      assert.equal(flaky.calls, 3);
      assert.deepEqual(flaky.handled, [event]);
      assert.deepEqual(await deadLetters(flaky.name), []);
    });

    test('a consumer that always throws leaves the event in the dead letters', async () => {
      const failing = recorder(consumerName('failing'), '*', () => true);
      const queue = await h.start([failing]);
      const event = sampleEvent();
      const before = new Date().toISOString();
      await queue.publish([event]);
      await waitFor('the dead letter', async () => (await deadLetters(failing.name)).length === 1);
      await queue.stop();
      const [letter] = await deadLetters(failing.name);
      assert.ok(letter);
      assert.equal(failing.calls, QUICK.maxAttempts);
      assert.equal(letter.attempts, QUICK.maxAttempts);
      assert.equal(letter.event_id, event.id);
      assert.equal(letter.type, event.type);
      assert.equal(letter.tenant_id, event.tenant_id);
      assert.match(letter.error, /handler refused user\.created/);
      assert.deepEqual(JSON.parse(letter.body), event);
      assert.ok(letter.first_attempt_at && letter.first_attempt_at >= before);
      assert.ok(letter.failed_at >= letter.first_attempt_at);
    });

    test('a poison message goes to the dead letters at once', async () => {
      const consumer = recorder(consumerName('poison'), '*');
      const queue = await h.start([consumer]);
      const unknownType = sampleEvent({ type: 'user.teleported' });
      const wrongVersion = sampleEvent({ version: 2 });
      await queue.redeliver(consumer.name, '{not json');
      await queue.redeliver(consumer.name, encodeEvent(unknownType));
      await queue.redeliver(consumer.name, encodeEvent(wrongVersion));
      await waitFor('three dead letters', async () => (await deadLetters(consumer.name)).length === 3);
      await queue.stop();
      const letters = await deadLetters(consumer.name);
      assert.equal(consumer.calls, 0);
      for (const letter of letters) {
        assert.equal(letter.attempts, 1);
        assert.match(letter.error, /^poison message: /);
      }
      const byBody = new Map(letters.map((l) => [l.body, l]));
      assert.match(byBody.get('{not json')?.error ?? '', /not JSON/);
      assert.equal(byBody.get('{not json')?.event_id, null);
      assert.match(byBody.get(encodeEvent(unknownType))?.error ?? '', /unknown event type/);
      assert.equal(byBody.get(encodeEvent(unknownType))?.event_id, unknownType.id);
      assert.match(byBody.get(encodeEvent(wrongVersion))?.error ?? '', /version 2/);
    });

    test('replaying a dead letter delivers it once', async () => {
      let failing = true;
      const consumer = recorder(consumerName('replay'), '*', () => failing);
      const queue = await h.start([consumer], { maxAttempts: 2, baseMs: 10, maxMs: 10 });
      const event = sampleEvent();
      await queue.publish([event]);
      await waitFor('the dead letter', async () => (await deadLetters(consumer.name)).length === 1);
      failing = false;
      const replayed = await replayDeadLetters(h.db.database.db, queue, null, { consumer: consumer.name });
      assert.equal(replayed, 1);
      assert.deepEqual(await deadLetters(consumer.name), [], 'a replayed letter leaves the list');
      await waitFor('the replayed delivery', () => consumer.handled.length === 1);
      await queue.stop();
      assert.deepEqual(consumer.handled, [event]);
      assert.equal(consumer.calls, 3);
    });

    test('the idempotent wrapper skips an event id it already handled', async () => {
      const inner = recorder(consumerName('idem'), '*');
      const wrapped = idempotentConsumer(inner, { database: h.db.database, clock: systemClock });
      let settled = 0;
      const counting: EventConsumer = {
        name: wrapped.name,
        types: wrapped.types,
        handle: async (event) => {
          await wrapped.handle(event);
          settled += 1;
        },
      };
      const queue = await h.start([counting]);
      const event = sampleEvent();
      await queue.publish([event]);
      await waitFor('the first delivery', () => settled === 1);
      await queue.redeliver(inner.name, encodeEvent(event));
      await waitFor('the redelivery', () => settled === 2);
      await queue.stop();
      assert.equal(inner.calls, 1);
      const recorded = await h.db.database.db
        .selectFrom('consumed_events')
        .selectAll()
        .where('consumer', '=', inner.name)
        .execute();
      assert.deepEqual(
        recorded.map((r) => r.event_id),
        [event.id],
      );
    });
  });
}
