import type { Migration } from './types.ts';

export const eventLog: Migration = {
  version: 9,
  name: 'event-log',
  up(): string[] {
    // The outbox doubles as each tenant's event log (kept for OUTBOX_RETENTION_DAYS): read newest
    // first per tenant, so its rows are reached by (tenant_id, id), UUIDv7 ids being time-ordered.
    return ['CREATE INDEX outbox_tenant_log ON outbox (tenant_id, id)'];
  },
};
