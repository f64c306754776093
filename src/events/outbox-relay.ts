// Moves committed outbox rows to the queue, oldest first, at least once: a row is marked published
// only after the queue said it holds the event, so a crash or a failed publish leaves it pending and a
// later cycle (here or in another process) publishes it again. Consumers are idempotent by event id.
import type { Clock } from '../clock.ts';
import { type Database, fromJson, type Tx } from '../db/index.ts';
import type { QueueBackend, QueuedEvent, QueueLog } from './queue/queue-port.ts';
import { errorText, silentLog } from './queue/queue-port.ts';
import { createWakeup } from './queue/wakeup.ts';

export interface OutboxRelay {
  /** Publishes what is pending, then follows new commits (`wake`) and polls every `pollMs`. */
  start(): void;
  /** Ends the loop after the cycle in progress. */
  stop(): Promise<void>;
  /** Call after a local commit that appended events: the relay runs at once instead of at the next poll. */
  wake(): void;
  /** Publishes until nothing is pending (tests, shutdown); rejects when a publish fails. */
  flush(): Promise<void>;
}

export interface OutboxRelayOptions {
  database: Database;
  queue: QueueBackend;
  clock: Clock;
  /** Events per cycle: one query reads them, one publish sends them, one update marks them. */
  batchSize: number;
  pollMs: number;
  log?: QueueLog;
  /** Longest wait after repeated publish failures (the delay doubles from `pollMs`). */
  maxBackoffMs?: number;
}

type Db = Database['db'] | Tx;

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, queue, clock, batchSize } = options;
  const log = options.log ?? silentLog;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const wakeup = createWakeup();
  const pause = createWakeup();
  let stopping = false;
  let loop: Promise<void> | undefined;
  let tail: Promise<unknown> = Promise.resolve();

  // One cycle at a time in this process, so its batches leave in order.
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  }

  // PostgreSQL: rows another relay has locked are skipped, so relays in several processes take
  // disjoint batches instead of waiting for each other or publishing the same rows.
  async function pending(db: Db, lock: boolean) {
    return db
      .selectFrom('outbox')
      .selectAll()
      .where('published_at', 'is', null)
      .orderBy('occurred_at')
      .orderBy('id')
      .limit(batchSize)
      .$if(lock, (q) => q.forUpdate().skipLocked())
      .execute();
  }

  async function markPublished(db: Db, ids: string[]): Promise<void> {
    await db
      .updateTable('outbox')
      .set({ published_at: clock.now().toISOString() })
      .where('id', 'in', ids)
      .where('published_at', 'is', null)
      .execute();
  }

  async function send(trx: Tx | undefined, events: QueuedEvent[]): Promise<void> {
    if (trx && queue.publishWithin) await queue.publishWithin(trx, events);
    else await queue.publish(events);
  }

  /** One batch: returns how many events went out. */
  async function cycle(): Promise<number> {
    let ids: string[] = [];
    try {
      // The database queue enqueues in the same transaction, and PostgreSQL holds the row locks while
      // the broker confirms. SQLite with RabbitMQ reads, publishes, then marks: holding SQLite's one
      // writer across a network wait would stall every request of the process meanwhile.
      if (queue.publishWithin || database.dialect === 'postgres') {
        return await database.transaction(async (trx) => {
          const rows = await pending(trx, database.dialect === 'postgres');
          ids = rows.map((r) => r.id);
          if (rows.length === 0) return 0;
          await send(trx, rows.map(toQueuedEvent));
          await markPublished(trx, ids);
          return rows.length;
        });
      }
      const rows = await pending(database.db, false);
      ids = rows.map((r) => r.id);
      if (rows.length === 0) return 0;
      await send(undefined, rows.map(toQueuedEvent));
      await markPublished(database.db, ids);
      return rows.length;
    } catch (error) {
      if (ids.length > 0) {
        await database.db
          .updateTable('outbox')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('id', 'in', ids)
          .where('published_at', 'is', null)
          .execute()
          .catch(() => {});
      }
      throw error;
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        const moved = await exclusive(cycle);
        failures = 0;
        if (moved < batchSize) await wakeup.wait(options.pollMs);
      } catch (error) {
        failures += 1;
        const delay = Math.min(options.pollMs * 2 ** (failures - 1), maxBackoffMs);
        log.warn({ failures, retry_in_ms: delay, error: errorText(error) }, 'outbox relay could not publish');
        // Commits do not cut a back-off short: the queue is what failed.
        await pause.wait(delay * (0.8 + 0.2 * Math.random()));
      }
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      wakeup.wake();
      pause.wake();
      await loop;
      loop = undefined;
    },
    wake: () => wakeup.wake(),
    async flush() {
      while ((await exclusive(cycle)) > 0) {
        // next batch
      }
    },
  };
}

function toQueuedEvent(row: {
  id: string;
  type: string;
  version: number;
  tenant_id: string | null;
  occurred_at: string;
  payload: unknown;
}): QueuedEvent {
  return {
    id: row.id,
    type: row.type,
    version: Number(row.version),
    tenant_id: row.tenant_id,
    occurred_at: row.occurred_at,
    payload: fromJson<Record<string, unknown>>(row.payload),
  };
}
