import amqp from 'amqplib';
import { Redis } from 'ioredis';
import type { Probe } from './readiness.ts';

/** A Redis probe over one lazily opened connection; closes with `close()`. */
export function redisProbe(url: string): { probe: Probe; close: () => Promise<void> } {
  let client: Redis | undefined;
  return {
    probe: async () => {
      client ??= new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 2000,
      });
      client.on('error', () => {});
      if (client.status === 'wait' || client.status === 'end') await client.connect();
      await client.ping();
    },
    close: async () => {
      client?.disconnect();
    },
  };
}

/** A RabbitMQ probe: opens and closes a connection (readiness is polled seconds apart). */
export function amqpProbe(url: string): Probe {
  return async () => {
    const connection = await amqp.connect(url, { timeout: 2000 });
    await connection.close();
  };
}
