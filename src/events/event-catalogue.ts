// Every event the service emits, defined once. docs/events.md is generated from this list and
// a test fails when they differ. A payload never carries a secret, token, password or code.
export interface EventDefinition {
  version: number;
  description: string;
  producer: string;
  /** Payload members and what each holds. */
  payload: Readonly<Record<string, string>>;
}

const tenantPayload = {
  tenant_id: 'Tenant id.',
  slug: 'Tenant slug.',
  actor_id: 'Id of the platform operator who made the change.',
} as const;

export const EVENT_CATALOGUE = {
  'tenant.created': {
    version: 1,
    description: 'A tenant was created.',
    producer: 'tenants',
    payload: { ...tenantPayload, display_name: 'Display name.' },
  },
  'tenant.updated': {
    version: 1,
    description: "A tenant's display name changed.",
    producer: 'tenants',
    payload: { ...tenantPayload, display_name: 'New display name.' },
  },
  'tenant.suspended': {
    version: 1,
    description: 'A tenant was suspended: its users cannot sign in and its tokens stop working.',
    producer: 'tenants',
    payload: tenantPayload,
  },
  'tenant.reactivated': {
    version: 1,
    description: 'A suspended tenant was reactivated.',
    producer: 'tenants',
    payload: tenantPayload,
  },
  'tenant.deleted': {
    version: 1,
    description: 'A tenant was deleted (soft); its data is purged after the retention period.',
    producer: 'tenants',
    payload: tenantPayload,
  },
  'user.created': {
    version: 1,
    description: 'A user account was created (including the bootstrap platform administrator).',
    producer: 'users',
    payload: {
      tenant_id: 'Tenant id.',
      user_id: 'User id.',
      source: '`bootstrap`, `admin` or `registration`.',
    },
  },
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof EVENT_CATALOGUE;
