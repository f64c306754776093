// A sleeping loop that can be woken: a local commit, a publish or a due retry wakes it at once, the
// poll interval is the fallback for work other processes created.

export interface Wakeup {
  /** Resolves after `ms`, or at once when woken meanwhile or since the last wait. */
  wait(ms: number): Promise<void>;
  wake(): void;
  /** Wakes the loop after `ms` (a retry that becomes due). */
  after(ms: number): void;
  /** Clears the timers (the loop ended). */
  cancel(): void;
}

export function createWakeup(): Wakeup {
  let woken = false;
  let release: (() => void) | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const wake = () => {
    woken = true;
    release?.();
  };

  return {
    wait(ms) {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => release?.(), ms);
        release = () => {
          clearTimeout(timer);
          release = undefined;
          woken = false;
          resolve();
        };
      });
    },
    wake,
    after(ms) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        wake();
      }, ms);
      timer.unref();
      timers.add(timer);
    },
    cancel() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      release?.();
    },
  };
}
