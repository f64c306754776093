import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `action` until it succeeds, waiting 100 ms, then twice as long each time (at most `maxWaitMs`),
 * and rethrows its last error once `forMs` has passed or `signal` aborts. For steps that must not be
 * given up at the first failure: recording that an effect happened (giving up would have the queue
 * repeat the effect), or starting the queue while the broker is away.
 */
export async function keepTrying<T>(
  action: () => Promise<T>,
  options: {
    forMs: number;
    maxWaitMs?: number;
    signal?: AbortSignal;
    onFailure?: (error: unknown, waitMs: number) => void;
  },
): Promise<T> {
  const deadline = Date.now() + options.forMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, options.maxWaitMs ?? 5_000)) {
    try {
      return await action();
    } catch (error) {
      if (Date.now() + wait > deadline || options.signal?.aborted) throw error;
      options.onFailure?.(error, wait);
      await sleep(wait, undefined, { signal: options.signal }).catch(() => {});
    }
  }
}
