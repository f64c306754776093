import type { FastifyBaseLogger } from 'fastify';

/** A counter's state: how many hits its current window has seen and when that window ends. */
export interface CounterState {
  count: number;
  /** When the window ends and the count starts again from zero, in epoch milliseconds. */
  resetAt: number;
}

/**
 * Shared counters for rate limits, lockout and captcha gating.
 *
 * Fixed windows: the first hit of a key opens a window of `windowMs`; every hit inside it counts;
 * once it ends, the next hit opens a fresh window at 1. Fixed windows were chosen over sliding
 * ones because one atomic INCR (plus an expiry on the first hit) does it in Redis, the answer is
 * exact and cheap in memory, and `resetAt` is one number a client can be told (`Retry-After`). The
 * known cost, up to twice the limit across a window boundary, is acceptable for abuse control.
 *
 * The window length is fixed by the hit that opens it; later hits with another `windowMs` (a
 * tenant changed its settings) count in the open window and take effect from the next one.
 */
export interface CounterStore {
  /** Counts one hit on `key` and answers the state after it. */
  hit(key: string, windowMs: number): Promise<CounterState>;
  /** The state of `key` without counting, or undefined when it has no open window. */
  peek(key: string): Promise<CounterState | undefined>;
  /** Forgets `key` (a successful sign-in clears its failures, say). */
  reset(key: string): Promise<void>;
  /** Releases connections and timers; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** What the stores log: only outages and recoveries, never per-request noise. */
export type CounterStoreLog = Pick<FastifyBaseLogger, 'warn' | 'info'>;
