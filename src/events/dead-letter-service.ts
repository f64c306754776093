import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import { AppError } from '../http/index.ts';
import { appendEvent } from './outbox.ts';
import {
  type DeadLetterFilter,
  type DeadLetterKey,
  type DeadLetterScope,
  deleteDeadLetters,
  getDeadLetter,
  listDeadLetters,
  type QueueBackend,
  replayDeadLetters,
} from './queue/index.ts';

/** The most dead letters one replay-by-filter call hands back, so one request stays bounded. */
export const MAX_REPLAY_BATCH = 1000;

const notFound = () => new AppError('IAM_ERR_DEAD_LETTER_NOT_FOUND', 'No such dead letter.');

/**
 * What operators do with dead letters, each action recorded as an event. The scope is a tenant id
 * (tenant administrators, or an operator acting in a tenant) or null (the platform view).
 */
export function createDeadLetterService(deps: {
  database: Database;
  queue: Pick<QueueBackend, 'redeliver'>;
  clock: Clock;
}) {
  const { database, queue, clock } = deps;

  function eventOf(
    type: 'deadletter.replayed' | 'deadletter.deleted',
    scope: DeadLetterScope,
    actorId: string,
    count: number,
    chosen: { ids?: string[]; filter?: DeadLetterFilter },
  ) {
    const payload = {
      tenant_id: scope,
      actor_id: actorId,
      count,
      ids: chosen.ids ?? null,
      filter: chosen.filter ?? null,
    };
    return { type, tenantId: scope, payload };
  }

  /** Deletes and records in one transaction, so the audit trail never misses a deletion. */
  async function remove(
    scope: DeadLetterScope,
    actorId: string,
    chosen: { ids?: string[]; filter?: DeadLetterFilter },
  ) {
    return database.transaction(async (trx) => {
      const count = await deleteDeadLetters(trx, scope, chosen.filter ?? {}, chosen.ids);
      if (count > 0)
        await appendEvent(trx, eventOf('deadletter.deleted', scope, actorId, count, chosen), clock.now());
      return count;
    });
  }

  /** A replay reaches the queue outside the database, so its record follows the handover. */
  async function recordReplay(
    scope: DeadLetterScope,
    actorId: string,
    count: number,
    chosen: { ids?: string[]; filter?: DeadLetterFilter },
  ) {
    if (count === 0) return;
    const event = eventOf('deadletter.replayed', scope, actorId, count, chosen);
    await database.transaction((trx) => appendEvent(trx, event, clock.now()));
  }

  return {
    list: (scope: DeadLetterScope, limit: number, filter: DeadLetterFilter, after?: DeadLetterKey) =>
      listDeadLetters(database.db, scope, { limit, filter, ...(after ? { after } : {}) }),

    async get(scope: DeadLetterScope, id: string) {
      const letter = await getDeadLetter(database.db, scope, id);
      if (!letter) throw notFound();
      return letter;
    },

    async replayOne(scope: DeadLetterScope, id: string, actorId: string): Promise<void> {
      const count = await replayDeadLetters(database.db, queue, scope, {}, { ids: [id] });
      if (count === 0) throw notFound();
      await recordReplay(scope, actorId, count, { ids: [id] });
    },

    async replayMatching(scope: DeadLetterScope, filter: DeadLetterFilter, actorId: string): Promise<number> {
      const count = await replayDeadLetters(database.db, queue, scope, filter, { limit: MAX_REPLAY_BATCH });
      await recordReplay(scope, actorId, count, { filter });
      return count;
    },

    async deleteOne(scope: DeadLetterScope, id: string, actorId: string): Promise<void> {
      if ((await remove(scope, actorId, { ids: [id] })) === 0) throw notFound();
    },

    async purge(scope: DeadLetterScope, filter: DeadLetterFilter, actorId: string): Promise<number> {
      return remove(scope, actorId, { filter });
    },
  };
}

export type DeadLetterService = ReturnType<typeof createDeadLetterService>;
