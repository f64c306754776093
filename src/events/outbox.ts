import { afterCommit, type Tx, toJson, uuidv7 } from '../db/index.ts';
import { EVENT_CATALOGUE, type EventType } from './event-catalogue.ts';

export interface NewEvent {
  type: EventType;
  tenantId: string | null;
  payload: Record<string, unknown>;
}

// Told when a local transaction that appended events has committed, so the relay moves them at once
// instead of at its next poll.
const commitListeners = new Set<() => void>();
const announced = new WeakSet<Tx>();

/** Calls `listener` after each local commit that appended events; returns the unsubscribe. */
export function onEventsCommitted(listener: () => void): () => void {
  commitListeners.add(listener);
  return () => commitListeners.delete(listener);
}

/**
 * Writes an event into the outbox inside the caller's transaction, so the change and its event
 * commit together or not at all (transactional outbox).
 */
export async function appendEvent(trx: Tx, event: NewEvent, now: Date = new Date()): Promise<string> {
  const id = uuidv7(now.getTime());
  await trx
    .insertInto('outbox')
    .values({
      id,
      tenant_id: event.tenantId,
      type: event.type,
      version: EVENT_CATALOGUE[event.type].version,
      payload: toJson(event.payload),
      occurred_at: now.toISOString(),
      published_at: null,
    })
    .execute();
  if (!announced.has(trx)) {
    announced.add(trx);
    afterCommit(trx, async () => {
      for (const listener of commitListeners) listener();
    });
  }
  return id;
}
