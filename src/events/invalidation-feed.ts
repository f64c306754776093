import { afterCommit, type Database, type Tx } from '../db/index.ts';
import type { FeedSignal } from './redis-signal.ts';

// The feeds of this process: after a local commit each reads at once, so this process never
// serves one more request under the old state.
const localFeeds = new Set<() => Promise<void>>();

export type InvalidationKind = 'session' | 'token' | 'user' | 'tenant' | 'authz';

export interface Invalidation {
  tenantId: string;
  kind: InvalidationKind;
  /** Session id, token id (`jti`), user id, tenant id, or for `authz` a user id or `*` (whole tenant). */
  subject: string;
  /** For `user`: tokens issued before this instant are refused (password change, logout everywhere). */
  notBefore: string | null;
  /** When the entry no longer matters (the longest-lived token it can affect has expired). */
  expiresAt: string;
}

export type InvalidationListener = (invalidation: Invalidation) => void;

/**
 * Records a change that every process must apply, in the caller's transaction, so it exists exactly
 * when the change committed.
 */
export async function recordInvalidation(trx: Tx, invalidation: Invalidation, now: Date): Promise<void> {
  await trx
    .insertInto('revocations')
    .values({
      tenant_id: invalidation.tenantId,
      kind: invalidation.kind,
      subject: invalidation.subject,
      not_before: invalidation.notBefore,
      expires_at: invalidation.expiresAt,
      created_at: now.toISOString(),
    })
    .execute();
  afterCommit(trx, async () => {
    // A failed read is caught up by the periodic poll; the change itself has committed.
    await Promise.all([...localFeeds].map((poll) => poll().catch(() => {})));
  });
}

export interface InvalidationFeed {
  /** Listeners get every live entry at start, then each new one once. */
  subscribe(listener: InvalidationListener): void;
  /** Loads live entries, then polls for new ones every `intervalMs`. */
  start(): Promise<void>;
  /** Reads new entries now (after a local commit, so this process applies it at once). */
  poll(): Promise<void>;
  stop(): void;
}

/**
 * Every process follows the `revocations` table in `seq` order: a bounded, indexed read of new rows
 * a few times a second, never a query per request. Listeners keep their own in-memory state.
 */
export function createInvalidationFeed(deps: {
  database: Database;
  intervalMs: number;
  now: () => Date;
  /** Tells other processes to read at once (Redis pub/sub when configured). */
  signal?: FeedSignal;
}): InvalidationFeed {
  const listeners: InvalidationListener[] = [];
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function read(): Promise<void> {
    for (;;) {
      const rows = await deps.database.db
        .selectFrom('revocations')
        .selectAll()
        .where('seq', '>', last)
        .where('expires_at', '>', deps.now().toISOString())
        .orderBy('seq')
        .limit(1000)
        .execute();
      for (const row of rows) {
        last = Math.max(last, Number(row.seq));
        const invalidation: Invalidation = {
          tenantId: row.tenant_id,
          kind: row.kind,
          subject: row.subject,
          notBefore: row.not_before,
          expiresAt: row.expires_at,
        };
        for (const listener of listeners) listener(invalidation);
      }
      if (rows.length < 1000) return;
    }
  }

  let queued: Promise<void> | undefined;
  // One read at a time. A read under way may have started before the caller's commit, so a poll
  // asked for meanwhile waits for the next one; every caller asking meanwhile shares that one read.
  const poll = (): Promise<void> => {
    if (!running) {
      running = read().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = undefined;
        return poll();
      });
    return queued;
  };
  // After a local commit: read here, and tell the other processes to read too.
  const afterLocalCommit = async (): Promise<void> => {
    deps.signal?.publish();
    await poll();
  };

  return {
    subscribe: (listener) => {
      listeners.push(listener);
    },
    async start() {
      localFeeds.add(afterLocalCommit);
      deps.signal?.subscribe(() => {
        poll().catch(() => {});
      });
      await poll();
      timer = setInterval(() => {
        poll().catch(() => {
          // The database is away: the next tick tries again; /readyz reports the outage.
        });
      }, deps.intervalMs);
      timer.unref();
    },
    poll,
    stop: () => {
      localFeeds.delete(afterLocalCommit);
      void deps.signal?.close();
      if (timer) clearInterval(timer);
    },
  };
}
