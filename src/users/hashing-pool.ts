import { Worker } from 'node:worker_threads';

export type HashJob =
  | { kind: 'hash'; password: string }
  | { kind: 'verify'; stored: string; password: string }
  | { kind: 'bcrypt'; stored: string; password: string };

export type HashOutcome = { id: number; value: string | boolean } | { id: number; error: string };

export interface HashingPool {
  run(job: HashJob): Promise<string | boolean>;
  close(): Promise<void>;
}

interface Pending {
  id: number;
  job: HashJob;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

// Nice 10 gives a hashing thread about a tenth of the CPU weight of an event loop (nice 0): the loops
// and the database come first, hashing takes every cycle they leave.
const NICENESS = 10;

/**
 * Password hashing on threads of its own at a lower priority, started on the first hash. Each thread
 * hashes one password at a time; jobs wait in order for a free thread.
 */
export function createHashingPool(options: { threads: number; argon2: object }): HashingPool {
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 0;
  let closed = false;

  function start(): Slot {
    const worker = new Worker(new URL('./hashing-thread.ts', import.meta.url), {
      workerData: { options: options.argon2, niceness: NICENESS },
    });
    // A hashing thread never keeps the process alive on its own.
    worker.unref();
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (outcome: HashOutcome) => {
      const done = slot.busy;
      slot.busy = undefined;
      if (done && done.id === outcome.id) {
        if ('error' in outcome) done.reject(new Error(outcome.error));
        else done.resolve(outcome.value);
      }
      dispatch();
    });
    // A thread that failed emits 'error' and then 'exit': the slot is dropped once, and only its own.
    const replace = (error: Error) => {
      const at = slots.indexOf(slot);
      if (at === -1) return;
      slots.splice(at, 1);
      slot.busy?.reject(error);
      slot.busy = undefined;
      if (!closed) dispatch();
    };
    worker.on('error', replace);
    worker.on('exit', () => replace(new Error('a hashing thread stopped')));
    slots.push(slot);
    return slot;
  }

  function dispatch(): void {
    while (queue.length > 0 && !closed) {
      const slot = slots.find((s) => !s.busy) ?? (slots.length < options.threads ? start() : undefined);
      if (!slot) return;
      const pending = queue.shift() as Pending;
      slot.busy = pending;
      slot.worker.postMessage({ id: pending.id, job: pending.job });
    }
  }

  return {
    run(job) {
      if (closed) return Promise.reject(new Error('the hashing pool is closed'));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, job, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new Error('the hashing pool is closed'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
