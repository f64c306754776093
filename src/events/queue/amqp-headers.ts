// The headers a message carries through retries and into the dead-letter queue, and how the drain
// turns a dead-lettered message into a `dead_letters` row.
import { isUuid, uuidv7 } from '../../db/index.ts';
import type { NewDeadLetter } from './dead-letter-store.ts';
import { peekEnvelope } from './message-codec.ts';

export const HEADER = {
  /** Which attempt this delivery is (absent: the first). */
  attempt: 'x-gatehouse-attempt',
  firstAttemptAt: 'x-gatehouse-first-attempt-at',
  /** On a retry: why the previous attempt failed. */
  lastError: 'x-gatehouse-last-error',
  /** On a dead letter: why the consumer gave up, when, and the row id (so a re-drained message is stored once). */
  error: 'x-gatehouse-error',
  failedAt: 'x-gatehouse-failed-at',
  deadLetterId: 'x-gatehouse-dead-letter-id',
} as const;

export type Headers = Record<string, unknown>;

export function intHeader(headers: Headers, name: string): number | undefined {
  const value = headers[name];
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function timeHeader(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) return undefined;
  const time = Date.parse(String(value));
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function textHeader(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' || Buffer.isBuffer(value) ? String(value) : undefined;
}

// A message RabbitMQ dead-lettered by itself (the delivery limit) carries no error of ours.
function brokerReason(headers: Headers): string {
  const reason = textHeader(headers, 'x-first-death-reason') ?? 'unknown';
  if (reason === 'delivery_limit')
    return 'dead-lettered by RabbitMQ: delivered too often without an ack (the consumer crashed or lost its connection while handling it)';
  return `dead-lettered by RabbitMQ (${reason})`;
}

/** The `dead_letters` row for a message taken from `<consumer>.dlq`. */
export function deadLetterOf(consumer: string, body: string, headers: Headers, now: Date): NewDeadLetter {
  const envelope = peekEnvelope(body);
  const id = textHeader(headers, HEADER.deadLetterId);
  return {
    id: id && isUuid(id) ? id : uuidv7(now.getTime()),
    consumer,
    event_id: envelope.eventId,
    tenant_id: envelope.tenantId,
    type: envelope.type,
    body,
    error: textHeader(headers, HEADER.error) ?? brokerReason(headers),
    attempts: intHeader(headers, HEADER.attempt) ?? 1,
    first_attempt_at: timeHeader(headers, HEADER.firstAttemptAt) ?? null,
    failed_at: timeHeader(headers, HEADER.failedAt) ?? now.toISOString(),
  };
}
