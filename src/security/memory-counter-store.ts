import type { CounterState, CounterStore } from './counter-store.ts';

export interface MemoryCounterStoreOptions {
  /** Most keys held; past it the oldest windows are dropped (default 100 000, about 15 MB). */
  maxEntries?: number;
  /** Expired windows are swept at most this often (default 10 s). */
  sweepIntervalMs?: number;
  /** Epoch milliseconds; injectable so tests and the app's clock agree. */
  now?: () => number;
}

/** The in-process store; `size()` lets tests and metrics see that memory stays bounded. */
export interface MemoryCounterStore extends CounterStore {
  size(): number;
}

const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_SWEEP_INTERVAL_MS = 10_000;
// When full of live windows, this share is dropped at once so the next hits do not sweep again.
const EVICT_FRACTION = 0.1;

/**
 * Fixed-window counters in one process (see CounterStore). Memory stays bounded whatever callers
 * send: expired windows are swept lazily on hits (no timer to leak), and at `maxEntries` the
 * oldest windows are evicted. Eviction forgets some counts, so a flood of distinct keys (spoofed
 * IPv6 clients, say) can reset others' counters early; bounded memory is the better failure.
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions = {}): MemoryCounterStore {
  const maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  const now = options.now ?? Date.now;
  // Map keeps insertion order, and a key is re-inserted when its window reopens, so iteration
  // runs from the oldest window to the newest.
  const windows = new Map<string, CounterState>();
  let nextSweepAt = 0;

  const sweep = (at: number): void => {
    for (const [key, state] of windows) if (state.resetAt <= at) windows.delete(key);
    nextSweepAt = at + sweepIntervalMs;
    if (windows.size < maxEntries) return;
    let drop = Math.max(1, Math.ceil(maxEntries * EVICT_FRACTION));
    for (const key of windows.keys()) {
      if (drop-- <= 0) break;
      windows.delete(key);
    }
  };

  const live = (key: string, at: number): CounterState | undefined => {
    const state = windows.get(key);
    if (state && state.resetAt > at) return state;
    if (state) windows.delete(key);
    return undefined;
  };

  return {
    async hit(key, windowMs) {
      const at = now();
      const state = live(key, at);
      if (state) {
        state.count += 1;
        return { ...state };
      }
      if (at >= nextSweepAt || windows.size >= maxEntries) sweep(at);
      const opened = { count: 1, resetAt: at + windowMs };
      windows.set(key, opened);
      return { ...opened };
    },
    async peek(key) {
      const state = live(key, now());
      return state ? { ...state } : undefined;
    },
    async reset(key) {
      windows.delete(key);
    },
    async close() {
      windows.clear();
    },
    size: () => windows.size,
  };
}
