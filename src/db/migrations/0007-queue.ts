import { type Dialect, type Migration, TYPES, tenantRls } from './types.ts';

export const queue: Migration = {
  version: 7,
  name: 'queue',
  up(dialect: Dialect): string[] {
    const t = TYPES[dialect];
    const statements = [
      // The embedded queue: one row per (consumer, event) to deliver. Like the outbox it spans tenants
      // (the consumers serve all of them), so it has no row-level policy.
      `CREATE TABLE queue_messages (
         id ${t.uuid} PRIMARY KEY,
         consumer text NOT NULL,
         event_id ${t.uuid} NOT NULL,
         body text NOT NULL,
         attempts integer NOT NULL DEFAULT 0,
         first_attempt_at ${t.time},
         last_error text,
         available_at ${t.time} NOT NULL,
         locked_until ${t.time},
         created_at ${t.time} NOT NULL
       )`,
      'CREATE INDEX queue_messages_ready ON queue_messages (consumer, available_at, id)',
      // What a consumer gave up on, whichever queue backend carried it: listed, replayed and purged by
      // operators through the API. tenant_id is null for platform events and unparseable messages.
      `CREATE TABLE dead_letters (
         id ${t.uuid} PRIMARY KEY,
         consumer text NOT NULL,
         event_id text,
         tenant_id ${t.uuid},
         type text,
         body text NOT NULL,
         error text NOT NULL,
         attempts integer NOT NULL,
         first_attempt_at ${t.time},
         failed_at ${t.time} NOT NULL
       )`,
      'CREATE INDEX dead_letters_time ON dead_letters (failed_at, id)',
      'CREATE INDEX dead_letters_tenant ON dead_letters (tenant_id, failed_at, id)',
      // Operators look at one consumer's failures (the mailer is down) more than at anything else.
      'CREATE INDEX dead_letters_consumer ON dead_letters (consumer, failed_at, id)',
      // Consumers are idempotent by event id: a redelivered event that was already handled is skipped.
      `CREATE TABLE consumed_events (
         consumer text NOT NULL,
         event_id ${t.uuid} NOT NULL,
         consumed_at ${t.time} NOT NULL,
         PRIMARY KEY (consumer, event_id)
       )`,
      'CREATE INDEX consumed_events_time ON consumed_events (consumed_at)',
      // Tenant webhooks: HTTPS endpoints that receive chosen event types, signed with a per-endpoint
      // secret (sealed with the key-encryption key).
      `CREATE TABLE webhooks (
         tenant_id ${t.uuid} NOT NULL REFERENCES tenants (id),
         id ${t.uuid} NOT NULL,
         url text NOT NULL,
         event_types ${t.json} NOT NULL,
         secret_sealed text NOT NULL,
         status text NOT NULL CHECK (status IN ('active', 'disabled')),
         created_at ${t.time} NOT NULL,
         updated_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, id)
       )`,
    ];
    if (dialect === 'postgres') statements.push(...tenantRls('webhooks'));
    return statements;
  },
};
