// The queue as a port: the relay publishes committed outbox events, consumers receive them. Two
// adapters keep the same behaviour: the database queue (embedded default) and RabbitMQ (AMQP_URL).

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
}
