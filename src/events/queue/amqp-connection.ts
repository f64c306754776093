// One RabbitMQ connection that comes back: when it drops, everything built on it (channels,
// consumers) is gone, so `setup` runs again on each new connection, after a back-off that doubles up
// to a cap. While it is down, `current()` is undefined and users fail fast instead of waiting.
import { type ChannelModel, type ConfirmChannel, connect, type Options } from 'amqplib';
import { errorText, type QueueLog } from './queue-port.ts';

export interface ReconnectOptions {
  /** First wait before reconnecting (default 100 ms). */
  baseMs?: number;
  /** Longest wait between attempts (default 30 s). */
  maxMs?: number;
}

export interface ManagedConnection {
  /** Connects and runs `setup` once; rejects when the broker cannot be reached. */
  open(): Promise<void>;
  current(): ChannelModel | undefined;
  /** Drops the current connection so it is rebuilt (a channel failed underneath it). */
  recycle(): void;
  close(): Promise<void>;
}

export function manageConnection(options: {
  url: string;
  /** Shown by `rabbitmqctl list_connections name client_properties`. */
  name: string;
  log: QueueLog;
  reconnect?: ReconnectOptions;
  setup(model: ChannelModel): Promise<void>;
  /** Called once each time the connection is lost (not on `close`). */
  onDown?(): void;
}): ManagedConnection {
  const baseMs = options.reconnect?.baseMs ?? 100;
  const maxMs = options.reconnect?.maxMs ?? 30_000;
  let model: ChannelModel | undefined;
  let closing = false;
  let timer: NodeJS.Timeout | undefined;

  async function connectOnce(): Promise<void> {
    const next = await connect(options.url, { clientProperties: { connection_name: options.name } });
    next.on('error', (error: Error) => {
      options.log.warn({ connection: options.name, error: errorText(error) }, 'RabbitMQ connection error');
    });
    let ready = false;
    let lost = false;
    next.once('close', () => {
      lost = true;
      // A connection lost during setup fails the setup instead, whose caller decides what follows.
      if (!ready || model !== next) return;
      model = undefined;
      if (closing) return;
      options.log.warn({ connection: options.name }, 'RabbitMQ connection lost; reconnecting');
      options.onDown?.();
      schedule(1);
    });
    try {
      model = next;
      await options.setup(next);
      if (lost) throw new Error('RabbitMQ connection lost during setup');
      // `close` ran while this reconnect was under way: nothing may keep consuming after it.
      if (closing) throw new Error('RabbitMQ connection closed during setup');
      ready = true;
    } catch (error) {
      if (model === next) model = undefined;
      await next.close().catch(() => {});
      throw error;
    }
  }

  function schedule(attempt: number): void {
    if (closing) return;
    const delay = Math.min(baseMs * 2 ** (attempt - 1), maxMs) * (0.8 + 0.2 * Math.random());
    timer = setTimeout(() => {
      timer = undefined;
      connectOnce().then(
        () => options.log.info({ connection: options.name, attempt }, 'RabbitMQ connection restored'),
        (error: unknown) => {
          options.log.warn(
            { connection: options.name, attempt, error: errorText(error) },
            'RabbitMQ reconnect failed',
          );
          schedule(attempt + 1);
        },
      );
    }, delay);
  }

  return {
    open: connectOnce,
    current: () => model,
    recycle() {
      // Closing fires 'close', which schedules the reconnect.
      model?.close().catch(() => {});
    },
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      const last = model;
      model = undefined;
      await last?.close().catch(() => {});
    },
  };
}

/** Publishes one message and resolves when the broker confirmed it (rejects on its nack or a lost channel). */
export function confirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      // The callback runs on the broker's ack, its nack, or the channel closing first (with an error).
      // publish() returning false (socket buffer full) is not waited on: a call sends one relay batch
      // at most, and the confirms it waits for pace the next one.
      channel.publish(exchange, routingKey, content, options, (error: unknown) =>
        error
          ? reject(error instanceof Error ? error : new Error('RabbitMQ refused the message'))
          : resolve(),
      );
    } catch (error) {
      reject(error);
    }
  });
}

export function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
