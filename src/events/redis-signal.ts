import { Redis } from 'ioredis';

/** A nudge between processes: "the invalidation feed has something new, read it now". */
export interface FeedSignal {
  publish(): void;
  subscribe(onSignal: () => void): void;
  close(): Promise<void>;
}

const CHANNEL = 'gatehouse:invalidations';

/**
 * Redis pub/sub as the feed's fast path: a commit on one replica reaches the others in about a
 * millisecond instead of at their next poll. The database table stays the record: a lost message,
 * or Redis being down, only delays a change until the next poll (INVALIDATION_POLL_MS).
 */
export function redisSignal(url: string): FeedSignal {
  const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
  // Errors surface through /readyz; here they only mean the fast path is off for a while.
  publisher.on('error', () => {});
  subscriber.on('error', () => {});
  return {
    publish: () => {
      publisher.publish(CHANNEL, '1').catch(() => {});
    },
    subscribe: (onSignal) => {
      subscriber.on('message', () => onSignal());
      subscriber.subscribe(CHANNEL).catch(() => {});
    },
    close: async () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
