export { deadLetterRoutes } from './dead-letter-routes.ts';
export { createDeadLetterService, type DeadLetterService } from './dead-letter-service.ts';
export { EVENT_CATALOGUE, type EventDefinition, type EventType } from './event-catalogue.ts';
export { eventLogRoutes } from './event-log-routes.ts';
export {
  createInvalidationFeed,
  type Invalidation,
  type InvalidationFeed,
  type InvalidationKind,
  type InvalidationListener,
  recordInvalidation,
} from './invalidation-feed.ts';
export { appendEvent, type NewEvent, onEventsCommitted } from './outbox.ts';
export { createOutboxRelay, type OutboxRelay } from './outbox-relay.ts';
export {
  createAmqpQueue,
  createDatabaseQueue,
  createRetryPolicy,
  type EventConsumer,
  idempotentConsumer,
  insertDeadLetter,
  keepTrying,
  type QueueBackend,
  type QueuedEvent,
  type QueueLog,
} from './queue/index.ts';
export { type FeedSignal, redisSignal } from './redis-signal.ts';
