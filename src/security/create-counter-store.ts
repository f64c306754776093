import type { CounterStore, CounterStoreLog } from './counter-store.ts';
import { createMemoryCounterStore } from './memory-counter-store.ts';
import { createRedisCounterStore } from './redis-counter-store.ts';

export interface CounterStoreOptions {
  /** Epoch milliseconds; pass the app's clock so counters and their callers agree on time. */
  now?: () => number;
  /** Redis key namespace (default `gatehouse:rl:`). */
  prefix?: string;
}

/**
 * The counter store for this process: shared through Redis when `REDIS_URL` is set (falling back
 * to process memory while Redis is unreachable), in process memory otherwise.
 */
export function createCounterStore(
  redisUrl: string,
  log: CounterStoreLog,
  options: CounterStoreOptions = {},
): CounterStore {
  const now = options.now ?? Date.now;
  if (!redisUrl) return createMemoryCounterStore({ now });
  return createRedisCounterStore({
    url: redisUrl,
    log,
    now,
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
  });
}
