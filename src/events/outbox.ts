import { type Tx, toJson, uuidv7 } from '../db/index.ts';
import { EVENT_CATALOGUE, type EventType } from './event-catalogue.ts';

export interface NewEvent {
  type: EventType;
  tenantId: string | null;
  payload: Record<string, unknown>;
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
  return id;
}
