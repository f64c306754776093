// The embedded queue: one `queue_messages` row per (consumer, event). Any number of processes consume
// the same table: a claim takes ready rows atomically and leases them, so each row is handled by one
// process at a time, and a lease that runs out (the process died) makes the row ready again.
import type { Clock } from '../../clock.ts';
import { afterCommit, type Database, type Tx, uuidv7 } from '../../db/index.ts';
import { insertDeadLetter } from './dead-letter-store.ts';
import { decodeEvent, type Envelope, encodeEvent, peekEnvelope } from './message-codec.ts';
import { microBatch } from './micro-batch.ts';
import {
  type EventConsumer,
  errorText,
  type QueueBackend,
  type QueuedEvent,
  type QueueLog,
  silentLog,
  subscribes,
} from './queue-port.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { createWakeup } from './wakeup.ts';

export interface DatabaseQueueOptions {
  database: Database;
  clock: Clock;
  /** Messages one consumer of this process holds (handles) at once. */
  prefetch: number;
  /** How often an idle consumer looks for ready rows (commits in this process wake it at once). */
  pollMs: number;
  retry: RetryPolicy;
  /**
   * The subscriptions, for a process that publishes without consuming. Publishing fans out by them,
   * so until they are known (here or by `start`) `publish` rejects and the relay keeps the events.
   */
  consumers?: readonly Pick<EventConsumer, 'name' | 'types'>[];
  /** How long a claimed row stays invisible to other claims; a handler running longer may be doubled. */
  leaseMs?: number;
  log?: QueueLog;
}

type Row = {
  id: string;
  event_id: string;
  body: string;
  attempts: number;
  first_attempt_at: string | null;
};

const CONSUMER_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
// Rows per INSERT: far below both dialects' bound-parameter limits (8 columns each).
const INSERT_CHUNK = 1000;

export function createDatabaseQueue(options: DatabaseQueueOptions): QueueBackend {
  const { database, clock, retry } = options;
  const { db } = database;
  const log = options.log ?? silentLog;
  const leaseMs = options.leaseMs ?? 60_000;
  let subscriptions: Map<string, Pick<EventConsumer, 'types'>> | undefined = options.consumers
    ? new Map(options.consumers.map((c) => [c.name, c]))
    : undefined;
  const runners: { wake(): void; done: Promise<void> }[] = [];
  let started = false;
  let stopping = false;

  const wakeAll = () => {
    for (const runner of runners) runner.wake();
  };

  function messagesFor(events: readonly QueuedEvent[], now: string) {
    if (!subscriptions)
      throw new Error('database queue: consumers are not known yet, so nothing is published');
    const targets = [...subscriptions];
    const rows = events.flatMap((event) => {
      const body = encodeEvent(event);
      return targets
        .filter(([, c]) => subscribes(c, event.type))
        .map(([consumer]) => ({ consumer, event_id: event.id, body }));
    });
    // Sorted UUIDv7 ids keep the publish order within a millisecond, so claims take rows FIFO.
    const ids = rows.map(() => uuidv7(Date.parse(now))).sort();
    return rows.map((row, i) => ({
      ...row,
      id: ids[i] as string,
      attempts: 0,
      available_at: now,
      created_at: now,
    }));
  }

  async function enqueue(trx: Tx, events: readonly QueuedEvent[]): Promise<void> {
    const rows = messagesFor(events, clock.now().toISOString());
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await trx
        .insertInto('queue_messages')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  // Claims up to `limit` ready rows and leases them: one statement, so two claimers never share a row
  // (PostgreSQL skips rows another claim has locked; SQLite runs one writer at a time).
  async function claim(consumer: string, limit: number): Promise<Row[]> {
    const now = clock.now();
    const nowIso = now.toISOString();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    const ready = db
      .selectFrom('queue_messages')
      .select('id')
      .where('consumer', '=', consumer)
      .where('available_at', '<=', nowIso)
      .orderBy('available_at')
      .orderBy('id')
      .limit(limit)
      .$if(database.dialect === 'postgres', (q) => q.forUpdate().skipLocked());
    const rows = await db
      .updateTable('queue_messages')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        first_attempt_at: eb.fn.coalesce('first_attempt_at', eb.val(nowIso)),
        available_at: until,
        locked_until: until,
      }))
      .where('id', 'in', ready)
      .returning(['id', 'event_id', 'body', 'attempts', 'first_attempt_at'])
      .execute();
    return rows.map((r) => ({ ...r, attempts: Number(r.attempts) })).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  const ack = microBatch<string, void>(async (ids) => {
    await db.deleteFrom('queue_messages').where('id', 'in', ids).execute();
    return ids.map(() => undefined);
  });

  async function deadLetter(consumer: string, row: Row, error: string, envelope: Envelope): Promise<void> {
    await database.transaction(async (trx) => {
      await insertDeadLetter(trx, {
        consumer,
        event_id: envelope.eventId,
        tenant_id: envelope.tenantId,
        type: envelope.type,
        body: row.body,
        error,
        attempts: row.attempts,
        first_attempt_at: row.first_attempt_at,
        failed_at: clock.now().toISOString(),
      });
      await trx.deleteFrom('queue_messages').where('id', '=', row.id).execute();
    });
    log.warn(
      { consumer, event_id: envelope.eventId, type: envelope.type, attempts: row.attempts },
      'event moved to the dead letters',
    );
  }

  function runner(consumer: EventConsumer) {
    const wakeup = createWakeup();
    const handlers = new Set<Promise<void>>();

    async function retryLater(row: Row, error: string, envelope: Envelope): Promise<void> {
      const delay = retry.delay(row.attempts);
      await db
        .updateTable('queue_messages')
        .set({
          available_at: new Date(clock.now().getTime() + delay).toISOString(),
          locked_until: null,
          last_error: error,
        })
        .where('id', '=', row.id)
        .execute();
      wakeup.after(delay);
      log.info(
        { consumer: consumer.name, event_id: envelope.eventId, type: envelope.type, attempts: row.attempts },
        'event handler failed; retrying later',
      );
    }

    async function deliver(row: Row): Promise<void> {
      const decoded = decodeEvent(row.body);
      if (!decoded.ok) return deadLetter(consumer.name, row, decoded.error, decoded.envelope);
      try {
        await consumer.handle(decoded.event);
      } catch (thrown) {
        const error = errorText(thrown);
        if (retry.exhausted(row.attempts)) return deadLetter(consumer.name, row, error, decoded.envelope);
        return retryLater(row, error, decoded.envelope);
      }
      await ack(row.id);
    }

    async function loop(): Promise<void> {
      while (!stopping) {
        // Claim again once half the window is free, so claims stay batched under load.
        const room = options.prefetch - handlers.size;
        if (room < Math.ceil(options.prefetch / 2)) {
          await Promise.race(handlers);
          continue;
        }
        let rows: Row[];
        try {
          rows = await claim(consumer.name, room);
        } catch (error) {
          log.error({ consumer: consumer.name, error: errorText(error) }, 'queue claim failed');
          await wakeup.wait(options.pollMs);
          continue;
        }
        if (rows.length === 0) {
          await wakeup.wait(options.pollMs);
          continue;
        }
        for (const row of rows) {
          const handler = deliver(row)
            .catch((error: unknown) => {
              // The database failed while settling: the lease runs out and the row is delivered again.
              log.error(
                { consumer: consumer.name, event_id: row.event_id, error: errorText(error) },
                'queue settle failed',
              );
            })
            .finally(() => handlers.delete(handler));
          handlers.add(handler);
        }
      }
      await Promise.all(handlers);
      wakeup.cancel();
    }

    return { wake: () => wakeup.wake(), done: loop() };
  }

  return {
    async start(consumers) {
      if (started) throw new Error('database queue: already started');
      for (const c of consumers) {
        if (!CONSUMER_NAME.test(c.name)) throw new Error(`database queue: invalid consumer name ${c.name}`);
      }
      started = true;
      subscriptions = new Map([...(subscriptions ?? []), ...consumers.map((c) => [c.name, c] as const)]);
      for (const consumer of consumers) runners.push(runner(consumer));
    },
    async publish(events) {
      if (events.length === 0) return;
      await database.transaction((trx) => enqueue(trx, events));
      wakeAll();
    },
    async publishWithin(trx, events) {
      if (events.length === 0) return;
      await enqueue(trx, events);
      afterCommit(trx, async () => wakeAll());
    },
    async redeliver(consumer, body) {
      if (subscriptions && !subscriptions.has(consumer))
        throw new Error(`database queue: unknown consumer ${consumer}`);
      const now = clock.now().toISOString();
      await db
        .insertInto('queue_messages')
        .values({
          id: uuidv7(),
          consumer,
          // Unreadable bodies have no event id; the row still needs one (its dead letter records none).
          event_id: peekEnvelope(body).eventId ?? uuidv7(),
          body,
          attempts: 0,
          available_at: now,
          created_at: now,
        })
        .execute();
      wakeAll();
    },
    async stop() {
      stopping = true;
      wakeAll();
      await Promise.all(runners.map((r) => r.done));
    },
  };
}
