// What the RabbitMQ backend declares, named in one place so the queue, its tests and the benchmark
// agree on it:
//
//   <prefix>.events             topic exchange; routing key = event type
//   <prefix>.<consumer>         durable quorum queue, bound to the consumer's types ('#' for '*')
//   <prefix>.<consumer>.retry.<ms>  delay queue per back-off step: messages wait there (per-message
//                               expiration), then dead-letter back into the consumer's queue
//   <prefix>.dlx                direct exchange; routing key = consumer
//   <prefix>.<consumer>.dlq     durable quorum queue of the consumer's dead letters, drained into the
//                               `dead_letters` table
//
// The delay queues are classic queues: per-message TTL on quorum queues only arrived in RabbitMQ 3.10
// and is not what this broker does well. A queue expires messages from its head only, so each back-off
// step has its own queue: its messages all wait about as long (jitter only shortens a wait, by at
// most its fraction), and a short wait never queues behind a long one. Naming the queue by its delay
// keeps a configuration change safe: new delays get new queues, old ones drain into the consumer.
import type { Channel } from 'amqplib';
import type { EventConsumer } from './queue-port.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** Broker-side backstop: a message redelivered this often without an ack (the consumer crashed on it,
 * or lost its connection each time) is dead-lettered by RabbitMQ itself. */
export const DELIVERY_LIMIT = 20;

export interface AmqpNames {
  exchange: string;
  dlx: string;
  queue(consumer: string): string;
  dlq(consumer: string): string;
  delayQueue(consumer: string, delayMs: number): string;
}

export function amqpNames(prefix: string): AmqpNames {
  return {
    exchange: `${prefix}.events`,
    dlx: `${prefix}.dlx`,
    queue: (consumer) => `${prefix}.${consumer}`,
    dlq: (consumer) => `${prefix}.${consumer}.dlq`,
    delayQueue: (consumer, delayMs) => `${prefix}.${consumer}.retry.${delayMs}ms`,
  };
}

/** The distinct waits between attempts (the delay doubles, then stays at its cap). */
export function retrySteps(retry: RetryPolicy): number[] {
  const steps: number[] = [];
  for (let attempt = 1; attempt < retry.maxAttempts; attempt++) {
    const delay = retry.nominalDelay(attempt);
    if (steps.at(-1) !== delay) steps.push(delay);
  }
  return steps;
}

export function bindingKeys(consumer: Pick<EventConsumer, 'types'>): string[] {
  return consumer.types === '*' ? ['#'] : [...consumer.types];
}

/** Declares everything the consumers need; idempotent, so every (re)connect runs it. */
export async function declareTopology(
  channel: Channel,
  names: AmqpNames,
  consumers: readonly Pick<EventConsumer, 'name' | 'types'>[],
  retry: RetryPolicy,
): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertExchange(names.dlx, 'direct', { durable: true });
  for (const consumer of consumers) {
    const queue = names.queue(consumer.name);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': DELIVERY_LIMIT,
        'x-dead-letter-exchange': names.dlx,
        'x-dead-letter-routing-key': consumer.name,
      },
    });
    for (const key of bindingKeys(consumer)) await channel.bindQueue(queue, names.exchange, key);
    const dlq = names.dlq(consumer.name);
    await channel.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(dlq, names.dlx, consumer.name);
    for (const delay of retrySteps(retry)) {
      await channel.assertQueue(names.delayQueue(consumer.name, delay), {
        durable: true,
        arguments: {
          'x-queue-type': 'classic',
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queue,
        },
      });
    }
  }
}

/** Removes what `declareTopology` made (tests and benchmarks clean up after themselves). */
export async function deleteTopology(
  channel: Channel,
  names: AmqpNames,
  consumers: readonly Pick<EventConsumer, 'name'>[],
  retry: RetryPolicy,
): Promise<void> {
  for (const consumer of consumers) {
    await channel.deleteQueue(names.queue(consumer.name));
    await channel.deleteQueue(names.dlq(consumer.name));
    for (const delay of retrySteps(retry)) await channel.deleteQueue(names.delayQueue(consumer.name, delay));
  }
  await channel.deleteExchange(names.exchange);
  await channel.deleteExchange(names.dlx);
}
