import type { QueuedEvent } from '../events/queue/queue-port.ts';

export interface PayloadReader {
  /** Names the event in error messages, so a dead letter says what was wrong with it. */
  where: string;
  string(name: string): string;
  date(name: string): Date;
  optionalString(name: string): string | undefined;
  optionalNumber(name: string): number | undefined;
  optionalBoolean(name: string): boolean | undefined;
}

/**
 * Reads an event payload that arrived as JSON from the queue. A required member that is missing
 * or of the wrong type throws: retrying cannot fix the message, and the queue dead-letters it.
 */
export function payloadReader(event: QueuedEvent): PayloadReader {
  const where = `event ${event.id} (${event.type})`;
  const payload: Record<string, unknown> =
    event.payload && typeof event.payload === 'object' ? event.payload : {};
  const fail = (name: string, expected: string): never => {
    throw new Error(`${where}: payload member "${name}" is missing or not ${expected}`);
  };
  const reader: PayloadReader = {
    where,
    string(name) {
      const value = payload[name];
      return typeof value === 'string' && value !== '' ? value : fail(name, 'a non-empty string');
    },
    date(name) {
      const value = payload[name];
      const date = typeof value === 'string' ? new Date(value) : undefined;
      return date && !Number.isNaN(date.getTime()) ? date : fail(name, 'a date');
    },
    optionalString(name) {
      const value = payload[name];
      return typeof value === 'string' ? value : undefined;
    },
    optionalNumber(name) {
      const value = payload[name];
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    },
    optionalBoolean(name) {
      const value = payload[name];
      return typeof value === 'boolean' ? value : undefined;
    },
  };
  return reader;
}
