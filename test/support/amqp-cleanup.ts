import amqp from 'amqplib';
import { amqpNames, createRetryPolicy, deleteTopology } from '../../src/events/queue/index.ts';

/**
 * Deletes the exchanges and queues a Gatehouse process declared on RabbitMQ under `prefix` for its
 * two consumers. The retry settings must be the process's: its delay queues are named after them.
 * A process that never reached the broker declared nothing, which is not an error here.
 */
export async function dropServiceTopology(
  url: string,
  prefix: string,
  retry: { maxAttempts: number; baseMs: number; maxMs: number },
): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    await deleteTopology(
      await connection.createChannel(),
      amqpNames(prefix),
      [{ name: 'notifications' }, { name: 'webhooks' }],
      createRetryPolicy(retry),
    ).catch(() => {});
  } finally {
    await connection.close();
  }
}
