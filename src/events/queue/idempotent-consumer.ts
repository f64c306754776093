// Consumers are idempotent by event id: a queue delivers at least once (a lost ack, a lease that ran
// out, a relay that published twice), so a consumer remembers what it handled and skips it next time.

import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/index.ts';
import { keepTrying } from './keep-trying.ts';
import { microBatch } from './micro-batch.ts';
import type { EventConsumer, QueuedEvent } from './queue-port.ts';

/** How long a consumer keeps trying to record a handled event: under the database queue's lease. */
export const RECORD_RETRY_MS = 45_000;

/**
 * Wraps a consumer so an event id it already handled is skipped. The id is recorded in
 * `consumed_events` only after the handler succeeded, so a failed attempt is retried; what remains
 * at-least-once is a crash (or lost database) between the handler's effect and that record: the
 * event is then handled again on redelivery. Handlers whose effect can carry the event id (an email's
 * Message-ID, a webhook's delivery id) let the receiving side close that gap.
 *
 * Checks and records of deliveries handled together are batched into one query each; two deliveries
 * of one id in this process at once run one after the other, so the second is skipped.
 */
export function idempotentConsumer(
  consumer: EventConsumer,
  deps: { database: Database; clock: Clock },
): EventConsumer {
  const { db } = deps.database;
  const name = consumer.name;
  const consumed = microBatch<string, boolean>(async (ids) => {
    const rows = await db
      .selectFrom('consumed_events')
      .select('event_id')
      .where('consumer', '=', name)
      .where('event_id', 'in', [...new Set(ids)])
      .execute();
    const seen = new Set(rows.map((r) => r.event_id));
    return ids.map((id) => seen.has(id));
  });
  const record = microBatch<string, void>(async (ids) => {
    const consumedAt = deps.clock.now().toISOString();
    await db
      .insertInto('consumed_events')
      .values([...new Set(ids)].map((event_id) => ({ consumer: name, event_id, consumed_at: consumedAt })))
      .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
      .execute();
    return ids.map(() => undefined);
  });
  const inFlight = new Map<string, Promise<void>>();

  async function handleOnce(event: QueuedEvent): Promise<void> {
    if (await consumed(event.id)) return;
    await consumer.handle(event);
    // The effect happened: failing now would have the queue repeat it (a second email). Keep trying
    // through a database outage, within the database queue's lease, while the message is unacknowledged.
    await keepTrying(() => record(event.id), { forMs: RECORD_RETRY_MS });
  }

  return {
    name,
    types: consumer.types,
    async handle(event) {
      // A second delivery of an id being handled here waits for the first, then finds it recorded.
      for (let running = inFlight.get(event.id); running; running = inFlight.get(event.id)) {
        await running.catch(() => {});
      }
      const run = handleOnce(event);
      inFlight.set(event.id, run);
      try {
        await run;
      } finally {
        inFlight.delete(event.id);
      }
    },
  };
}
