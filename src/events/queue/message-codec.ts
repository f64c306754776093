// The wire format of a queued event, and the one place that decides a message is poison: a body no
// retry can ever make handleable goes to the dead letters at once instead of using up its attempts.
import { isUuid } from '../../db/index.ts';
import { EVENT_CATALOGUE } from '../event-catalogue.ts';
import type { QueuedEvent } from './queue-port.ts';

export function encodeEvent(event: QueuedEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    version: event.version,
    tenant_id: event.tenant_id,
    occurred_at: event.occurred_at,
    payload: event.payload,
  });
}

/** What can be read of a message even when it is poison, for the dead letter's columns. */
export interface Envelope {
  eventId: string | null;
  type: string | null;
  tenantId: string | null;
}

export type Decoded =
  | { ok: true; event: QueuedEvent; envelope: Envelope }
  | { ok: false; error: string; envelope: Envelope };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

// Ids land in uuid columns on PostgreSQL, so only well-formed ones are kept.
function envelopeOf(value: unknown): Envelope {
  if (!isObject(value)) return { eventId: null, type: null, tenantId: null };
  const id = typeof value.id === 'string' && isUuid(value.id) ? value.id : null;
  const type = typeof value.type === 'string' ? value.type.slice(0, 200) : null;
  const tenant = typeof value.tenant_id === 'string' && isUuid(value.tenant_id) ? value.tenant_id : null;
  return { eventId: id, type, tenantId: tenant };
}

/** Best-effort envelope of any body (dead-letter drain of messages that never decoded). */
export function peekEnvelope(body: string): Envelope {
  return envelopeOf(parse(body));
}

/** Parses and validates a message body; a failure names the reason (it never quotes the payload). */
export function decodeEvent(body: string): Decoded {
  const value = parse(body);
  const envelope = envelopeOf(value);
  const fail = (error: string): Decoded => ({ ok: false, error: `poison message: ${error}`, envelope });
  if (value === undefined) return fail('body is not JSON');
  if (!isObject(value)) return fail('body is not a JSON object');
  const { id, type, version, tenant_id, occurred_at, payload } = value;
  if (typeof id !== 'string' || !isUuid(id)) return fail('id is not a UUID');
  if (typeof type !== 'string') return fail('type is missing');
  if (!Object.hasOwn(EVENT_CATALOGUE, type))
    return fail(`unknown event type ${JSON.stringify(type.slice(0, 100))}`);
  const expected = EVENT_CATALOGUE[type as keyof typeof EVENT_CATALOGUE].version;
  if (version !== expected) return fail(`${type} version ${String(version)} is not the known ${expected}`);
  if (tenant_id !== null && (typeof tenant_id !== 'string' || !isUuid(tenant_id)))
    return fail('tenant_id is neither a UUID nor null');
  if (typeof occurred_at !== 'string' || Number.isNaN(Date.parse(occurred_at)))
    return fail('occurred_at is not a time');
  if (!isObject(payload)) return fail('payload is not an object');
  return { ok: true, event: { id, type, version, tenant_id, occurred_at, payload }, envelope };
}
