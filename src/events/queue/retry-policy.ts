// How long a consumer waits before trying a failed event again, and when it gives up.

export interface RetryOptions {
  /** Attempts at one event (the first delivery included) before it becomes a dead letter. */
  maxAttempts: number;
  /** Delay before the first retry; it doubles with each further attempt. */
  baseMs: number;
  /** Longest delay between two attempts. */
  maxMs: number;
  /**
   * Fraction of each delay taken off at random (0–1, default 0.2): failures that happened together
   * (an SMTP outage) spread out instead of retrying in lockstep. Jitter only shortens a delay, so the
   * cap holds.
   */
  jitter?: number;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Delay before attempt `attempt + 1`, after attempt `attempt` (1-based) failed. */
  delay(attempt: number): number;
  /** The delay without jitter: the same for every message, so a backend can group messages by it. */
  nominalDelay(attempt: number): number;
  /** True when `attempts` made so far leave none to make. */
  exhausted(attempts: number): boolean;
}

export function createRetryPolicy(options: RetryOptions, random: () => number = Math.random): RetryPolicy {
  const { maxAttempts, baseMs, maxMs } = options;
  const jitter = options.jitter ?? 0.2;
  if (!(maxAttempts >= 1 && baseMs >= 0 && maxMs >= baseMs && jitter >= 0 && jitter <= 1)) {
    throw new Error('retry policy: need maxAttempts >= 1, 0 <= baseMs <= maxMs, 0 <= jitter <= 1');
  }
  // 2^(attempt-1) overflows to Infinity for large attempts, which min() caps correctly.
  const nominalDelay = (attempt: number) => Math.min(baseMs * 2 ** (Math.max(1, attempt) - 1), maxMs);
  return {
    maxAttempts,
    nominalDelay,
    delay: (attempt) => Math.round(nominalDelay(attempt) * (1 - jitter * random())),
    exhausted: (attempts) => attempts >= maxAttempts,
  };
}
