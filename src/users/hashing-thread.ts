// One password-hashing thread (src/users/hashing-pool.ts). It runs at a lower CPU priority than the
// event loops, so under a flood of sign-ins the requests that need no hash are still answered at once.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';
import { verifySync as verifyBcryptSync } from '@node-rs/bcrypt';
import type { HashJob, HashOutcome } from './hashing-pool.ts';

const { options, niceness } = workerData as { options: object; niceness: number };

try {
  // Linux: /proc/thread-self names this thread's id, and setpriority(2) on a thread id changes that
  // thread alone. Elsewhere the thread keeps the process's priority.
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, niceness);
} catch {
  // not Linux, or not allowed: hashing still works, at the normal priority
}

function run(job: HashJob): string | boolean {
  if (job.kind === 'hash') return hashSync(job.password, options);
  if (job.kind === 'verify') return verifySync(job.stored, job.password);
  return verifyBcryptSync(job.password, job.stored);
}

parentPort?.on('message', (message: { id: number; job: HashJob }) => {
  let outcome: HashOutcome;
  try {
    outcome = { id: message.id, value: run(message.job) };
  } catch (error) {
    outcome = { id: message.id, error: error instanceof Error ? error.message : 'hashing failed' };
  }
  parentPort?.postMessage(outcome);
});
