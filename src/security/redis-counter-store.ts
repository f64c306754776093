import { Redis } from 'ioredis';
import type { CounterState, CounterStore, CounterStoreLog } from './counter-store.ts';
import { createMemoryCounterStore } from './memory-counter-store.ts';

export const REDIS_COUNTER_PREFIX = 'gatehouse:rl:';

// One round trip and atomic: INCR, then give the key its window if it has no expiry yet (a new
// key, or one that somehow lost its TTL and would otherwise count forever). Works on Redis < 7,
// where PEXPIRE has no NX flag.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

const PEEK_SCRIPT = `
local count = redis.call('GET', KEYS[1])
if not count then return nil end
return {tonumber(count), redis.call('PTTL', KEYS[1])}`;

interface CounterCommands {
  gatehouseCounterHit(key: string, windowMs: number): Promise<[number, number]>;
  gatehouseCounterPeek(key: string): Promise<[number, number] | null>;
}

export interface RedisCounterStoreOptions {
  url: string;
  log: CounterStoreLog;
  /** Key namespace (default `gatehouse:rl:`); tests use their own so runs never share counts. */
  prefix?: string;
  /** Epoch milliseconds, for `resetAt` and the fallback store. */
  now?: () => number;
  /** Counts while Redis is unreachable; default an in-process memory store. */
  fallback?: CounterStore;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

// After a failed command Redis is skipped this long, so a hung server costs one command timeout
// per second rather than one per request.
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * Fixed-window counters shared by every replica through Redis (see CounterStore).
 *
 * Redis down: no request ever fails or waits because of it. Commands are never queued
 * (`enableOfflineQueue: false`, `maxRetriesPerRequest: 0`) and time out after `commandTimeoutMs`;
 * while the client is not connected, or for a second after a failed command, hits go to an
 * in-process fallback store, so limits still apply, per process. The outage is logged once when it
 * starts and once when Redis answers again; the client keeps reconnecting in the background.
 */
export function createRedisCounterStore(options: RedisCounterStoreOptions): CounterStore {
  const { log } = options;
  const prefix = options.prefix ?? REDIS_COUNTER_PREFIX;
  const now = options.now ?? Date.now;
  const connectTimeout = options.connectTimeoutMs ?? 1000;
  const fallback = options.fallback ?? createMemoryCounterStore({ now });
  const client = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout,
    commandTimeout: options.commandTimeoutMs ?? 250,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    // Commands issued in the same tick (a sign-in's counters) share one write and one round trip.
    enableAutoPipelining: true,
  });
  client.defineCommand('gatehouseCounterHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  client.defineCommand('gatehouseCounterPeek', { numberOfKeys: 1, lua: PEEK_SCRIPT });
  const commands = client as unknown as CounterCommands;

  let down = false;
  let retryAt = 0;
  const markDown = (error?: unknown): void => {
    retryAt = performance.now() + RETRY_AFTER_FAILURE_MS;
    if (down) return;
    down = true;
    log.warn(
      { err: error },
      'Redis is unreachable: rate limit and lockout counters are kept per process until it answers again',
    );
  };
  const markUp = (): void => {
    if (!down) return;
    down = false;
    log.info('Redis answers again: counters are shared across processes again');
  };
  client.on('error', markDown);
  client.on('ready', () => {
    retryAt = 0;
  });

  // Requests that arrive while the first connection is still being made wait for it (bounded by
  // the connect timeout, once per process) instead of counting in the fallback at every start-up.
  let starting = true;
  const firstContact = new Promise<void>((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      client.off('ready', settle);
      client.off('error', settle);
      client.off('end', settle);
      starting = false;
      resolve();
    };
    const timer = setTimeout(settle, connectTimeout);
    timer.unref();
    client.on('ready', settle);
    client.on('error', settle);
    client.on('end', settle);
  });

  const usable = async (): Promise<boolean> => {
    if (starting) await firstContact;
    if (client.status === 'ready' && performance.now() >= retryAt) return true;
    markDown(new Error(`Redis connection is ${client.status}`));
    return false;
  };

  const toState = ([count, ttl]: [number, number]): CounterState => ({
    count,
    resetAt: now() + Math.max(ttl, 0),
  });

  return {
    async hit(key, windowMs) {
      if (await usable()) {
        try {
          const state = toState(await commands.gatehouseCounterHit(prefix + key, windowMs));
          markUp();
          return state;
        } catch (error) {
          markDown(error);
        }
      }
      return fallback.hit(key, windowMs);
    },
    async peek(key) {
      if (await usable()) {
        try {
          const reply = await commands.gatehouseCounterPeek(prefix + key);
          markUp();
          return reply ? toState(reply) : undefined;
        } catch (error) {
          markDown(error);
        }
      }
      return fallback.peek(key);
    },
    async reset(key) {
      // Both: hits counted in the fallback during an outage must be forgotten too.
      await fallback.reset(key);
      if (!(await usable())) return;
      try {
        await client.del(prefix + key);
        markUp();
      } catch (error) {
        markDown(error);
      }
    },
    async close() {
      client.disconnect();
      await fallback.close();
    },
  };
}
