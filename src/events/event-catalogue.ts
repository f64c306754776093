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
  'group.created': {
    version: 1,
    description: 'A group was created.',
    producer: 'groups',
    payload: {
      tenant_id: 'Tenant id.',
      group_id: 'Group id.',
      name: 'Group name.',
      actor_id: 'Acting user id.',
    },
  },
  'group.updated': {
    version: 1,
    description: 'A group was renamed or its description changed.',
    producer: 'groups',
    payload: {
      tenant_id: 'Tenant id.',
      group_id: 'Group id.',
      name: 'Group name.',
      actor_id: 'Acting user id.',
    },
  },
  'group.deleted': {
    version: 1,
    description: 'A group was deleted with its memberships.',
    producer: 'groups',
    payload: { tenant_id: 'Tenant id.', group_id: 'Group id.', actor_id: 'Acting user id.' },
  },
  'group.membership_changed': {
    version: 1,
    description: 'Users were added to or removed from a group (their effective roles may change).',
    producer: 'groups',
    payload: {
      tenant_id: 'Tenant id.',
      group_id: 'Group id.',
      added: 'Ids of users added.',
      removed: 'Ids of users removed.',
      actor_id: 'Acting user id.',
    },
  },
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof EVENT_CATALOGUE;
