// The broker drops every connection in the middle of a stream: the relay's publishes fail and are
// retried, consumers reconnect and get their unacked messages again, and the idempotent consumer still
// handles each event exactly once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { appendEvent } from '../../src/events/outbox.ts';
import { createOutboxRelay } from '../../src/events/outbox-relay.ts';
import { createAmqpQueue } from '../../src/events/queue/amqp-queue.ts';
import { insertDeadLetter, listDeadLetters } from '../../src/events/queue/dead-letter-store.ts';
import { idempotentConsumer } from '../../src/events/queue/idempotent-consumer.ts';
import type { EventConsumer } from '../../src/events/queue/queue-port.ts';
import { createRetryPolicy } from '../../src/events/queue/retry-policy.ts';
import { VARIANTS } from '../support/databases.ts';
import {
  AMQP_URL,
  amqpPrefix,
  amqpSkip,
  closeAmqpConnections,
  deleteAmqp,
  memoryLog,
  openTestDatabase,
  waitFor,
} from './queue-support.ts';

const TOTAL = 2000;
const PER_COMMIT = 20;
// Payload text that must never show up in a log line.
const MARKER = 'payload-marker-7f3a';

for (const variant of VARIANTS) {
  describe(`RabbitMQ connection loss (database on ${variant})`, { skip: amqpSkip }, () => {
    test('every event of a stream is handled exactly once across a dropped connection', async (ctx) => {
      const t = await openTestDatabase(variant);
      const prefix = amqpPrefix();
      const retry = createRetryPolicy({ maxAttempts: 5, baseMs: 20, maxMs: 200 });
      const log = memoryLog();
      const handled = new Map<string, number>();
      const sink: EventConsumer = {
        name: 'stream',
        types: ['tenant.updated'],
        handle: async (event) => {
          handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
        },
      };
      const idempotent = idempotentConsumer(sink, { database: t.database, clock: systemClock });
      let deliveries = 0;
      const consumer: EventConsumer = {
        ...idempotent,
        handle: (event) => {
          deliveries += 1;
          return idempotent.handle(event);
        },
      };
      const queue = createAmqpQueue({
        url: AMQP_URL,
        prefix,
        prefetch: 32,
        retry,
        deadLetters: async (letter) => {
          await insertDeadLetter(t.database.db, letter);
        },
        log,
        reconnect: { baseMs: 100, maxMs: 1000 },
        confirmTimeoutMs: 5000,
      });
      const relay = createOutboxRelay({
        database: t.database,
        queue,
        clock: systemClock,
        batchSize: 50,
        pollMs: 20,
        maxBackoffMs: 500,
        log,
      });
      try {
        await t.database.db.deleteFrom('outbox').execute();
        await queue.start([consumer]);
        relay.start();
        const ids: string[] = [];
        let dropped = 0;
        while (ids.length < TOTAL) {
          await t.database.transaction(async (trx) => {
            for (let i = 0; i < PER_COMMIT; i++) {
              ids.push(
                await appendEvent(trx, {
                  type: 'tenant.updated',
                  tenantId: null,
                  payload: { n: ids.length, display_name: MARKER },
                }),
              );
            }
          });
          relay.wake();
          if (ids.length === TOTAL / 2) dropped = closeAmqpConnections(prefix);
          await new Promise((r) => setTimeout(r, 5));
        }
        assert.equal(dropped, 2, 'the publishing and the consuming connection were dropped');
        await waitFor(`${TOTAL} events handled`, () => handled.size === TOTAL, 90_000);
        await relay.stop();
        await queue.stop();
        ctx.diagnostic(`${deliveries} deliveries for ${TOTAL} events`);

        assert.deepEqual([...handled.keys()].sort(), [...ids].sort(), 'nothing lost');
        const twice = [...handled.values()].filter((n) => n !== 1);
        assert.deepEqual(twice, [], 'nothing handled twice');
        const pending = await t.database.db
          .selectFrom('outbox')
          .select('id')
          .where('published_at', 'is', null)
          .execute();
        assert.deepEqual(pending, []);
        assert.deepEqual(await listDeadLetters(t.database.db, null, { limit: 10 }), []);
        const messages = log.lines.map((l) => l.message);
        assert.ok(messages.includes('RabbitMQ connection lost; reconnecting'));
        assert.ok(messages.includes('RabbitMQ connection restored'));
        assert.ok(
          log.lines.every((l) => !JSON.stringify(l).includes(MARKER)),
          'no payload in the logs',
        );
      } finally {
        await relay.stop();
        await queue.stop();
        await deleteAmqp(prefix, [consumer], retry);
        await t.close();
      }
    });
  });
}
