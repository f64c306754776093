export { EVENT_CATALOGUE, type EventDefinition, type EventType } from './event-catalogue.ts';
export {
  createInvalidationFeed,
  type Invalidation,
  type InvalidationFeed,
  type InvalidationKind,
  type InvalidationListener,
  recordInvalidation,
} from './invalidation-feed.ts';
export { appendEvent, type NewEvent } from './outbox.ts';
export { type FeedSignal, redisSignal } from './redis-signal.ts';
