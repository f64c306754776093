export { type AmqpQueueOptions, createAmqpQueue, type DeadLetterSink } from './amqp-queue.ts';
export { type AmqpNames, amqpNames, deleteTopology } from './amqp-topology.ts';
export { createDatabaseQueue, type DatabaseQueueOptions } from './database-queue.ts';
export {
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterKey,
  type DeadLetterScope,
  deadLetterKey,
  deleteDeadLetter,
  deleteDeadLetters,
  getDeadLetter,
  insertDeadLetter,
  listDeadLetters,
  type NewDeadLetter,
  replayDeadLetters,
  takeDeadLetters,
} from './dead-letter-store.ts';
export { idempotentConsumer, RECORD_RETRY_MS } from './idempotent-consumer.ts';
export { keepTrying } from './keep-trying.ts';
export { decodeEvent, encodeEvent } from './message-codec.ts';
export type { EventConsumer, QueueBackend, QueuedEvent, QueueLog } from './queue-port.ts';
export { createRetryPolicy, type RetryOptions, type RetryPolicy } from './retry-policy.ts';
