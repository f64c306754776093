export { EVENT_CATALOGUE, type EventDefinition, type EventType } from './event-catalogue.ts';
export { appendEvent, type NewEvent } from './outbox.ts';
