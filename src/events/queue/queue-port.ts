// The queue as a port: the relay publishes committed outbox events, consumers receive them. Two
// adapters keep the same behaviour: the database queue (embedded default) and RabbitMQ (AMQP_URL).
import type { Tx } from '../../db/index.ts';

/** An event as it travels through the queue: the outbox row, serialised as JSON. */
export interface QueuedEvent {
  id: string;
  type: string;
  version: number;
  tenant_id: string | null;
  occurred_at: string;
  payload: Record<string, unknown>;
}

/** One named consumer with its own queue, retries and dead letters. */
export interface EventConsumer {
  /** Stable name: the queue is named after it (`gatehouse.<name>`), dead letters record it. */
  name: string;
  /** The event types it subscribes to; `'*'` for all. */
  types: readonly string[] | '*';
  /** Handles one event; a throw means "retry later" until the attempts are spent. */
  handle(event: QueuedEvent): Promise<void>;
}

export interface QueueBackend {
  /** Declares what is needed (queues, bindings) and starts delivering to the consumers. */
  start(consumers: readonly EventConsumer[]): Promise<void>;
  /** Hands events to every subscribed consumer; resolves once the queue holds them durably. */
  publish(events: readonly QueuedEvent[]): Promise<void>;
  /** Delivers one raw message body to one consumer again (a dead letter's replay). */
  redeliver(consumer: string, body: string): Promise<void>;
  /** Stops consuming, lets in-flight handlers finish, and closes connections. */
  stop(): Promise<void>;
  /**
   * Backends that live in the database enqueue inside the caller's transaction, so the relay moves
   * outbox rows into the queue atomically (exactly once) instead of publish-then-mark (at least once).
   */
  publishWithin?(trx: Tx, events: readonly QueuedEvent[]): Promise<void>;
}

/** The subset of pino's logger the queue layer uses; it logs ids, types and consumers, never payloads. */
export interface QueueLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * A failure as recorded: the error's name and message, bounded. A handler's error goes to the database
 * only (last_error, dead letters), as it may quote what the handler worked on; broker and database
 * errors, which quote no event, are also logged.
 */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}

export const silentLog: QueueLog = { info: () => {}, warn: () => {}, error: () => {} };

/** Whether a consumer subscribed to `type` (`'*'` takes every type). */
export function subscribes(consumer: Pick<EventConsumer, 'types'>, type: string): boolean {
  return consumer.types === '*' || consumer.types.includes(type);
}
