// The RabbitMQ backend (AMQP_URL): events go to a topic exchange and from there to one durable quorum
// queue per consumer (topology in amqp-topology.ts). Publishes wait for the broker's confirms; consumers
// ack by hand with a bounded prefetch. A failed attempt is republished to a delay queue that feeds it
// back after the back-off; a spent or poison message goes to the consumer's dead-letter queue, and a
// drain moves it into the `dead_letters` table, where the operators' API reads both backends.
//
// Publishing and consuming use separate connections, as RabbitMQ advises: when the broker throttles
// publishers (a memory alarm) the consumers' acks must still flow. Either connection comes back by
// itself after a drop; meanwhile publishes reject at once (the relay keeps the events and retries),
// and unacked deliveries return to their queue and are handled again (consumers are idempotent).
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { type Clock, systemClock } from '../../clock.ts';
import { uuidv7 } from '../../db/index.ts';
import { confirmed, manageConnection, type ReconnectOptions, withTimeout } from './amqp-connection.ts';
import { deadLetterOf, HEADER, type Headers, intHeader, timeHeader } from './amqp-headers.ts';
import { amqpNames, declareTopology } from './amqp-topology.ts';
import type { NewDeadLetter } from './dead-letter-store.ts';
import { decodeEvent, type Envelope, encodeEvent } from './message-codec.ts';
import { type EventConsumer, errorText, type QueueBackend, type QueueLog, silentLog } from './queue-port.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** Stores a dead letter (insertDeadLetter on the service's database); the drain acks after it resolves. */
export type DeadLetterSink = (letter: NewDeadLetter) => Promise<void>;

export interface AmqpQueueOptions {
  url: string;
  /** Unacknowledged messages per consumer (and per dead-letter drain). */
  prefetch: number;
  retry: RetryPolicy;
  deadLetters: DeadLetterSink;
  log?: QueueLog;
  /** Name prefix of every exchange and queue (default `gatehouse`); tests use their own. */
  prefix?: string;
  /** The subscriptions, for a process that publishes without consuming (see the database queue). */
  consumers?: readonly Pick<EventConsumer, 'name' | 'types'>[];
  reconnect?: ReconnectOptions;
  /** A publish the broker has not confirmed by then rejects (the relay retries; default 30 s). */
  confirmTimeoutMs?: number;
  clock?: Clock;
}

const CONSUMER_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const JSON_TYPE = 'application/json';

export function createAmqpQueue(options: AmqpQueueOptions): QueueBackend {
  const { retry, prefetch } = options;
  const log = options.log ?? silentLog;
  const clock = options.clock ?? systemClock;
  const prefix = options.prefix ?? 'gatehouse';
  const names = amqpNames(prefix);
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 30_000;
  let subscriptions: Map<string, Pick<EventConsumer, 'name' | 'types'>> | undefined = options.consumers
    ? new Map(options.consumers.map((c) => [c.name, c]))
    : undefined;
  let consumers: readonly EventConsumer[] = [];
  let stopping = false;
  let pub: ConfirmChannel | undefined;
  let publisherOpen: Promise<void> | undefined;
  let active: { channel: Channel; tag: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopSignal: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stopSignal = resolve;
  });
  const pauseFor = (ms: number) =>
    Promise.race([stopped, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

  const publisher = manageConnection({
    url: options.url,
    name: `${prefix}:publish`,
    log,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    onDown: () => {
      pub = undefined;
    },
    async setup(model: ChannelModel) {
      const channel = await model.createConfirmChannel();
      channel.on('error', (error: Error) => log.warn({ error: errorText(error) }, 'RabbitMQ channel error'));
      channel.on('close', () => {
        if (pub !== channel) return;
        pub = undefined;
        if (!stopping && publisher.current() === model) publisher.recycle();
      });
      if (subscriptions) await declareTopology(channel, names, [...subscriptions.values()], retry);
      pub = channel;
    },
  });

  async function publishChannel(): Promise<ConfirmChannel> {
    if (!publisherOpen) {
      publisherOpen = publisher.open().catch((error: unknown) => {
        publisherOpen = undefined;
        throw error;
      });
    }
    await publisherOpen;
    if (!pub) throw new Error('RabbitMQ connection is down; publish again later');
    return pub;
  }

  async function send(exchange: string, routingKey: string, content: Buffer, props: Options.Publish) {
    const channel = await publishChannel();
    await withTimeout(
      confirmed(channel, exchange, routingKey, content, {
        persistent: true,
        contentType: JSON_TYPE,
        ...props,
      }),
      confirmTimeoutMs,
      'RabbitMQ did not confirm the message in time',
    );
  }

  const subscriber = manageConnection({
    url: options.url,
    name: `${prefix}:consume`,
    log,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    onDown: () => {
      active = [];
    },
    async setup(model: ChannelModel) {
      active = [];
      const control = await model.createChannel();
      await declareTopology(control, names, consumers, retry);
      await control.close();
      const drain = await openChannel(model);
      for (const consumer of consumers) {
        const channel = await openChannel(model);
        const { consumerTag } = await channel.consume(names.queue(consumer.name), (message) =>
          track(message, () => deliver(consumer, channel, message as ConsumeMessage)),
        );
        active.push({ channel, tag: consumerTag });
        const drained = await drain.consume(names.dlq(consumer.name), (message) =>
          track(message, () => store(consumer.name, drain, message as ConsumeMessage)),
        );
        active.push({ channel: drain, tag: drained.consumerTag });
      }
    },
  });

  // Any channel lost under a running consumer rebuilds the connection, and with it every consumer.
  async function openChannel(model: ChannelModel): Promise<Channel> {
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => log.warn({ error: errorText(error) }, 'RabbitMQ channel error'));
    channel.on('close', () => {
      if (!stopping && subscriber.current() === model) subscriber.recycle();
    });
    await channel.prefetch(prefetch);
    return channel;
  }

  function track(message: ConsumeMessage | null, work: () => Promise<void>): void {
    if (message === null) {
      // The broker cancelled the consumer (its queue was deleted): declare again on a new connection.
      if (!stopping) subscriber.recycle();
      return;
    }
    const running: Promise<void> = work()
      .catch((error: unknown) => log.error({ error: errorText(error) }, 'queue delivery failed'))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }

  // A channel that closed meanwhile cannot ack; the broker redelivers the message on a new one.
  function settle(channel: Channel, message: ConsumeMessage, ack: boolean): void {
    try {
      if (ack) channel.ack(message);
      else channel.nack(message, false, true);
    } catch {
      // channel gone
    }
  }

  async function deliver(consumer: EventConsumer, channel: Channel, message: ConsumeMessage): Promise<void> {
    const headers: Headers = message.properties.headers ?? {};
    const attempt = intHeader(headers, HEADER.attempt) ?? 1;
    const firstAttemptAt = timeHeader(headers, HEADER.firstAttemptAt) ?? clock.now().toISOString();
    const decoded = decodeEvent(message.content.toString('utf8'));
    let failure: string | undefined;
    if (decoded.ok) {
      try {
        await consumer.handle(decoded.event);
      } catch (error) {
        failure = errorText(error);
      }
    }
    try {
      if (!decoded.ok) {
        await deadLetter(consumer.name, message, decoded.error, attempt, firstAttemptAt, decoded.envelope);
      } else if (failure !== undefined && retry.exhausted(attempt)) {
        await deadLetter(consumer.name, message, failure, attempt, firstAttemptAt, decoded.envelope);
      } else if (failure !== undefined) {
        await send('', names.delayQueue(consumer.name, retry.nominalDelay(attempt)), message.content, {
          ...(message.properties.messageId ? { messageId: message.properties.messageId } : {}),
          expiration: String(retry.delay(attempt)),
          headers: {
            [HEADER.attempt]: attempt + 1,
            [HEADER.firstAttemptAt]: firstAttemptAt,
            [HEADER.lastError]: failure,
          },
        });
      }
      settle(channel, message, true);
    } catch (error) {
      // The retry or dead-letter publish failed (the publisher is reconnecting): hand the message back
      // after a pause so it is tried again, rather than holding it or losing it.
      log.warn(
        { consumer: consumer.name, event_id: decoded.envelope.eventId, error: errorText(error) },
        'could not requeue a failed event; returning it to the queue',
      );
      await pauseFor(retry.delay(attempt));
      settle(channel, message, false);
    }
  }

  async function deadLetter(
    consumer: string,
    message: ConsumeMessage,
    error: string,
    attempts: number,
    firstAttemptAt: string,
    envelope: Envelope,
  ): Promise<void> {
    await send(names.dlx, consumer, message.content, {
      ...(message.properties.messageId ? { messageId: message.properties.messageId } : {}),
      headers: {
        [HEADER.deadLetterId]: uuidv7(clock.now().getTime()),
        [HEADER.error]: error,
        [HEADER.attempt]: attempts,
        [HEADER.firstAttemptAt]: firstAttemptAt,
        [HEADER.failedAt]: clock.now().toISOString(),
      },
    });
    log.warn(
      { consumer, event_id: envelope.eventId, type: envelope.type, attempts },
      'event moved to the dead letters',
    );
  }

  // The drain: ack only once the row is committed; a database outage leaves the message queued.
  async function store(consumer: string, channel: Channel, message: ConsumeMessage): Promise<void> {
    const headers: Headers = message.properties.headers ?? {};
    try {
      await options.deadLetters(
        deadLetterOf(consumer, message.content.toString('utf8'), headers, clock.now()),
      );
      settle(channel, message, true);
    } catch (error) {
      log.error({ consumer, error: errorText(error) }, 'could not store a dead letter; retrying');
      await pauseFor(1000);
      settle(channel, message, false);
    }
  }

  return {
    async start(list) {
      if (consumers.length > 0) throw new Error('RabbitMQ queue: already started');
      for (const c of list) {
        if (!CONSUMER_NAME.test(c.name)) throw new Error(`RabbitMQ queue: invalid consumer name ${c.name}`);
      }
      consumers = list;
      subscriptions = new Map([...(subscriptions ?? []), ...list.map((c) => [c.name, c] as const)]);
      try {
        await publishChannel();
        await subscriber.open();
      } catch (error) {
        // Forgotten, so that the start can be tried again.
        consumers = [];
        throw error;
      }
    },
    async publish(events) {
      if (events.length === 0) return;
      if (!subscriptions)
        throw new Error('RabbitMQ queue: consumers are not known yet, so nothing is published');
      const channel = await publishChannel();
      // Publish the whole batch, then wait for its confirms together: one round trip per batch.
      await withTimeout(
        Promise.all(
          events.map((event) =>
            confirmed(channel, names.exchange, event.type, Buffer.from(encodeEvent(event)), {
              persistent: true,
              contentType: JSON_TYPE,
              messageId: event.id,
              type: event.type,
            }),
          ),
        ),
        confirmTimeoutMs,
        'RabbitMQ did not confirm the batch in time',
      );
    },
    async redeliver(consumer, body) {
      if (!subscriptions?.has(consumer)) throw new Error(`RabbitMQ queue: unknown consumer ${consumer}`);
      await send('', names.queue(consumer), Buffer.from(body), {});
    },
    async stop() {
      stopping = true;
      stopSignal();
      for (const { channel, tag } of active) await channel.cancel(tag).catch(() => {});
      while (inFlight.size > 0) await Promise.all(inFlight);
      await subscriber.close();
      await publisher.close();
    },
  };
}
