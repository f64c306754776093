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

const userPayload = {
  tenant_id: 'Tenant id.',
  user_id: 'User id.',
  email: 'The address concerned.',
  actor_id: 'Who acted: the user, an administrator, or null for the system.',
} as const;

// Emails that carry a link need its token; the outbox holds it sealed (AES-256-GCM under the
// key-encryption key, bound to the link id), never in clear.
const linkPayload = {
  link_id: 'Id of the single-use link.',
  link_token_sealed: 'The link token, sealed for the notifier.',
  expires_at: 'When the link stops working.',
} as const;

// The host only: a URL's path and query may carry a receiver's token.
const webhookPayload = {
  tenant_id: 'Tenant id.',
  webhook_id: 'Webhook endpoint id.',
  host: 'Host of the endpoint URL.',
  event_types: 'Subscribed event types.',
  status: '`active` or `disabled`.',
  actor_id: 'Who made the change.',
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
  'tenant.settings_changed': {
    version: 1,
    description: "A tenant's settings changed; every process applies them within a second.",
    producer: 'tenants',
    payload: {
      ...tenantPayload,
      actor_id: 'Acting user id.',
      changed: 'Top-level settings that the change named.',
    },
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
    description: 'An administrator created a user (or the platform administrator was bootstrapped).',
    producer: 'users',
    payload: {
      ...userPayload,
      source: '`bootstrap`, `admin` or `onboarding` (the first administrator of a new tenant).',
    },
  },
  'user.invited': {
    version: 1,
    description: 'A user was created without a password and invited to set one (email to the user).',
    producer: 'users',
    payload: { ...userPayload, ...linkPayload },
  },
  'user.registered': {
    version: 1,
    description: 'Someone registered through self-service registration.',
    producer: 'users',
    payload: userPayload,
  },
  'user.registration_existing_email': {
    version: 1,
    description:
      'A registration used an address that already has an account; the owner is told (the caller is not).',
    producer: 'users',
    payload: userPayload,
  },
  'user.email_verification_requested': {
    version: 1,
    description: 'A verification link was issued for the address in `email` (email to that address).',
    producer: 'users',
    payload: { ...userPayload, ...linkPayload },
  },
  'user.email_verified': {
    version: 1,
    description: 'A user proved they own their email address.',
    producer: 'users',
    payload: userPayload,
  },
  'user.updated': {
    version: 1,
    description: "A user's profile changed.",
    producer: 'users',
    payload: { ...userPayload, fields: 'Names of the fields that changed.' },
  },
  'user.email_changed': {
    version: 1,
    description: "A user's email address changed (email to the old address).",
    producer: 'users',
    payload: { ...userPayload, old_email: 'The previous address.' },
  },
  'user.password_reset_requested': {
    version: 1,
    description: 'A password reset link was issued (email to the user).',
    producer: 'users',
    payload: { ...userPayload, ...linkPayload },
  },
  'user.password_changed': {
    version: 1,
    description: "A user's password changed; their other sessions are ended.",
    producer: 'users',
    payload: { ...userPayload, reason: '`change` (by the user), `reset` (emailed link) or `invitation`.' },
  },
  'user.deactivated': {
    version: 1,
    description: 'A user was deactivated: they cannot sign in and their tokens stop working.',
    producer: 'users',
    payload: { ...userPayload, reason: 'Why, as given by the administrator.' },
  },
  'user.activated': {
    version: 1,
    description: 'A deactivated user was activated again.',
    producer: 'users',
    payload: userPayload,
  },
  'user.deleted': {
    version: 1,
    description: 'A user was deleted (soft); restorable until the retention period ends, then purged.',
    producer: 'users',
    payload: { ...userPayload, self: 'True when the user deleted their own account.' },
  },
  'user.restored': {
    version: 1,
    description: 'A deleted user was restored.',
    producer: 'users',
    payload: userPayload,
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
  'role.created': {
    version: 1,
    description: 'A custom role was created.',
    producer: 'roles',
    payload: {
      tenant_id: 'Tenant id.',
      role_id: 'Role id.',
      name: 'Role name.',
      actor_id: 'Acting user id.',
    },
  },
  'role.updated': {
    version: 1,
    description: "A custom role's name, description or permissions changed.",
    producer: 'roles',
    payload: {
      tenant_id: 'Tenant id.',
      role_id: 'Role id.',
      name: 'Role name.',
      actor_id: 'Acting user id.',
    },
  },
  'role.deleted': {
    version: 1,
    description: 'A custom role was deleted with its assignments.',
    producer: 'roles',
    payload: {
      tenant_id: 'Tenant id.',
      role_id: 'Role id.',
      name: 'Role name.',
      actor_id: 'Acting user id.',
    },
  },
  'role.assigned': {
    version: 1,
    description: 'A role was assigned to a user or a group.',
    producer: 'roles',
    payload: {
      ...{ tenant_id: 'Tenant id.', role_id: 'Role id.', name: 'Role name.', actor_id: 'Acting user id.' },
      target_type: '`user` or `group`.',
      target_id: 'User or group id.',
    },
  },
  'role.unassigned': {
    version: 1,
    description: 'A role was taken from a user or a group.',
    producer: 'roles',
    payload: {
      ...{ tenant_id: 'Tenant id.', role_id: 'Role id.', name: 'Role name.', actor_id: 'Acting user id.' },
      target_type: '`user` or `group`.',
      target_id: 'User or group id.',
    },
  },
  'policy.created': {
    version: 1,
    description: 'A policy was created (version 1).',
    producer: 'policies',
    payload: {
      tenant_id: 'Tenant id.',
      policy_id: 'Policy id.',
      name: 'Policy name.',
      version: 'Version number.',
      actor_id: 'Acting user id.',
    },
  },
  'policy.updated': {
    version: 1,
    description: 'A policy got a new version.',
    producer: 'policies',
    payload: {
      tenant_id: 'Tenant id.',
      policy_id: 'Policy id.',
      name: 'Policy name.',
      version: 'New version number.',
      actor_id: 'Acting user id.',
    },
  },
  'policy.deleted': {
    version: 1,
    description: 'A policy was deleted with its versions and attachments.',
    producer: 'policies',
    payload: {
      tenant_id: 'Tenant id.',
      policy_id: 'Policy id.',
      name: 'Policy name.',
      actor_id: 'Acting user id.',
    },
  },
  'policy.attached': {
    version: 1,
    description: 'A policy was attached to a role, group or user.',
    producer: 'policies',
    payload: {
      tenant_id: 'Tenant id.',
      policy_id: 'Policy id.',
      target_type: '`role`, `group` or `user`.',
      target_id: 'Target id.',
      actor_id: 'Acting user id.',
    },
  },
  'policy.detached': {
    version: 1,
    description: 'A policy was detached from a role, group or user.',
    producer: 'policies',
    payload: {
      tenant_id: 'Tenant id.',
      policy_id: 'Policy id.',
      target_type: '`role`, `group` or `user`.',
      target_id: 'Target id.',
      actor_id: 'Acting user id.',
    },
  },
  'operator.acted': {
    version: 1,
    description: 'A platform operator acted inside another tenant with a platform token.',
    producer: 'auth',
    payload: {
      tenant_id: 'Tenant acted in.',
      operator_id: 'Platform user id.',
      method: 'HTTP method.',
      route: 'Route pattern.',
      permission: 'Permission used.',
    },
  },
  'user.logged_in': {
    version: 1,
    description: 'A user signed in; a session started.',
    producer: 'auth',
    payload: {
      tenant_id: 'Tenant id.',
      user_id: 'User id.',
      session_id: 'Session id.',
      amr: 'Authentication methods.',
      ip: 'Client IP.',
      user_agent: 'User agent.',
    },
  },
  'user.login_failed': {
    version: 1,
    description: 'A sign-in failed (unknown account, wrong password, inactive or unverified account).',
    producer: 'auth',
    payload: {
      tenant_id: 'Tenant id.',
      user_id: 'User id when the account exists, else null.',
      ip: 'Client IP.',
      user_agent: 'User agent.',
    },
  },
  'session.revoked': {
    version: 1,
    description:
      'Sessions ended: logout, logout everywhere, revocation by the user or an administrator, password change, token reuse.',
    producer: 'tokens',
    payload: {
      tenant_id: 'Tenant id.',
      user_id: 'User id.',
      session_ids: 'Ids of the sessions ended.',
      reason: 'Why.',
      actor_id: 'Who acted, or null.',
    },
  },
  'token.revoked': {
    version: 1,
    description: 'A token was revoked through the revocation endpoint (RFC 7009).',
    producer: 'tokens',
    payload: {
      tenant_id: 'Tenant id.',
      token_type: '`access_token` or `refresh_token`.',
      jti: 'Access token id, when it was one.',
      session_id: 'Session, when known.',
      client_id: 'Revoking client, or null.',
    },
  },
  'token.reuse_detected': {
    version: 1,
    description: 'A refresh token was presented again after it had been used: the whole session was revoked.',
    producer: 'tokens',
    payload: {
      tenant_id: 'Tenant id.',
      user_id: 'User id.',
      session_id: 'The revoked session.',
      ip: 'Client IP.',
    },
  },
  'client.created': {
    version: 1,
    description: 'A service client was created.',
    producer: 'clients',
    payload: {
      tenant_id: 'Tenant id.',
      client_id: 'Client id.',
      name: 'Client name.',
      actor_id: 'Acting user id.',
    },
  },
  'client.updated': {
    version: 1,
    description: "A service client's name, grants, permissions or status changed.",
    producer: 'clients',
    payload: {
      tenant_id: 'Tenant id.',
      client_id: 'Client id.',
      name: 'Client name.',
      actor_id: 'Acting user id.',
    },
  },
  'client.deleted': {
    version: 1,
    description: 'A service client was deleted; its tokens stop working.',
    producer: 'clients',
    payload: {
      tenant_id: 'Tenant id.',
      client_id: 'Client id.',
      name: 'Client name.',
      actor_id: 'Acting user id.',
    },
  },
  'client.secret_rotated': {
    version: 1,
    description:
      'A service client got a new secret; the previous one keeps working until `previous_expires_at`.',
    producer: 'clients',
    payload: {
      ...{
        tenant_id: 'Tenant id.',
        client_id: 'Client id.',
        name: 'Client name.',
        actor_id: 'Acting user id.',
      },
      previous_expires_at: 'When the previous secret stops working.',
    },
  },
  'mfa.enrolled': {
    version: 1,
    description: 'A user confirmed a TOTP authenticator; sign-ins now ask for a code (email to the user).',
    producer: 'mfa',
    payload: { ...userPayload, replaced: 'True when it replaced an earlier authenticator.' },
  },
  'mfa.disabled': {
    version: 1,
    description: 'A user turned their second factor off (email to the user).',
    producer: 'mfa',
    payload: userPayload,
  },
  'mfa.reset_by_admin': {
    version: 1,
    description: "An administrator removed a user's second factor and recovery codes (email to the user).",
    producer: 'mfa',
    payload: userPayload,
  },
  'mfa.recovery_code_used': {
    version: 1,
    description: 'A recovery code was spent to sign in (email to the user).',
    producer: 'mfa',
    payload: { ...userPayload, remaining: 'Recovery codes left unused.' },
  },
  'mfa.recovery_codes_regenerated': {
    version: 1,
    description: 'A user replaced their recovery codes; the old ones stopped working.',
    producer: 'mfa',
    payload: userPayload,
  },
  'mfa.verification_failed': {
    version: 1,
    description: 'A second-factor code was refused during sign-in or a protected change.',
    producer: 'mfa',
    payload: {
      tenant_id: 'Tenant id.',
      user_id: 'User id.',
      reason: '`invalid_code`, `replayed_code` or `too_many_attempts`.',
      ip: 'Client IP, when known.',
    },
  },
  'user.password_expiry_reminder_due': {
    version: 1,
    description: "A user's password expires soon (email to the user).",
    producer: 'jobs',
    payload: { ...userPayload, expires_at: 'When the password expires.' },
  },
  'webhook.created': {
    version: 1,
    description: 'A webhook endpoint was registered.',
    producer: 'webhooks',
    payload: webhookPayload,
  },
  'webhook.updated': {
    version: 1,
    description: "A webhook endpoint's URL, event types or status changed.",
    producer: 'webhooks',
    payload: webhookPayload,
  },
  'webhook.deleted': {
    version: 1,
    description: 'A webhook endpoint was deleted.',
    producer: 'webhooks',
    payload: webhookPayload,
  },
  'webhook.secret_rotated': {
    version: 1,
    description: "A webhook endpoint's signing secret was replaced.",
    producer: 'webhooks',
    payload: webhookPayload,
  },
  'deadletter.replayed': {
    version: 1,
    description: 'An operator handed dead letters back to their consumers.',
    producer: 'events',
    payload: {
      tenant_id: 'The tenant whose dead letters were replayed, or null for the platform view.',
      actor_id: 'Acting user id.',
      count: 'How many were replayed.',
      ids: 'Ids of the dead letters, when chosen one by one.',
      filter: 'The filter, when replayed by filter.',
    },
  },
  'deadletter.deleted': {
    version: 1,
    description: 'An operator deleted or purged dead letters.',
    producer: 'events',
    payload: {
      tenant_id: 'The tenant whose dead letters were deleted, or null for the platform view.',
      actor_id: 'Acting user id.',
      count: 'How many were deleted.',
      ids: 'Ids of the dead letters, when chosen one by one.',
      filter: 'The filter, when purged by filter.',
    },
  },
  'signing_key.rotated': {
    version: 1,
    description:
      "A new key signs the tenant's tokens; the previous one stays published until its tokens expire.",
    producer: 'tokens',
    payload: {
      tenant_id: 'Tenant id.',
      kid: 'The key that now signs.',
      previous_kid: 'The key it replaced, if any.',
      reason: '`scheduled` (the rotation period or an algorithm change) or `immediate` (on demand).',
      actor_id: 'Who asked for it, or null for the schedule.',
    },
  },
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof EVENT_CATALOGUE;
