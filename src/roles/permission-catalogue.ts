// Every permission the service knows, as `resource:action`, with what it allows. Routes declare
// the one they need; a test fails when a route declares none or one missing from this list.
export const PERMISSIONS = {
  'tenant:create': 'Create tenants (platform operators).',
  'tenant:read': 'Read tenants (platform operators).',
  'tenant:list': 'List tenants (platform operators).',
  'tenant:update': 'Rename, suspend and reactivate tenants (platform operators).',
  'tenant:delete': 'Delete tenants (platform operators).',
  'user:create': 'Create and invite users.',
  'user:read': "Read any user's profile.",
  'user:list': 'List and search users.',
  'user:update': "Change any user's profile, status and roles.",
  'user:delete': 'Delete and restore users.',
  'group:create': 'Create groups.',
  'group:read': 'Read groups and their members.',
  'group:list': 'List groups.',
  'group:update': 'Rename groups and change their members.',
  'group:delete': 'Delete groups.',
  'role:create': 'Create roles.',
  'role:read': 'Read roles.',
  'role:list': 'List roles.',
  'role:update': 'Change roles and their assignments.',
  'role:delete': 'Delete custom roles.',
  'policy:create': 'Create policies.',
  'policy:read': 'Read policies and their versions.',
  'policy:list': 'List policies.',
  'policy:update': 'Change and attach policies.',
  'policy:delete': 'Delete policies.',
  'session:read': "List any user's sessions.",
  'session:revoke': "Revoke any user's sessions.",
  'client:create': 'Create service clients.',
  'client:read': 'Read service clients.',
  'client:update': 'Change service clients and rotate their secrets.',
  'client:delete': 'Delete service clients.',
  'key:read': "Read the tenant's signing keys.",
  'key:rotate': "Rotate the tenant's signing keys.",
  'job:read': 'List scheduled jobs and their runs (platform operators).',
  'job:run': 'Start a scheduled job now (platform operators).',
  'webhook:create': 'Register webhook endpoints.',
  'webhook:read': 'Read webhook endpoints.',
  'webhook:list': 'List webhook endpoints.',
  'webhook:update': 'Change webhook endpoints and rotate their secrets.',
  'webhook:delete': 'Delete webhook endpoints.',
  'deadletter:read': 'List and inspect dead letters.',
  'deadletter:replay': 'Replay dead letters.',
  'deadletter:delete': 'Delete and purge dead letters.',
  'event:read': "Read the tenant's event log (its audit trail).",
  'settings:read': "Read the tenant's settings.",
  'settings:update': "Change the tenant's settings.",
  'token:introspect': 'Introspect tokens (RFC 7662).',
  'token:revoke': "Revoke other clients' tokens.",
  'authz:check': 'Ask the policy engine for decisions.',
  'self:read': 'Read one’s own profile and sessions.',
  'self:update': 'Change one’s own profile, password and MFA.',
  'verify:mfa': 'Complete a sign-in with a second factor.',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

/** Permissions that only the platform tenant's administrators may exercise. */
export const PLATFORM_PERMISSIONS: readonly Permission[] = [
  'job:read',
  'job:run',
  'tenant:create',
  'tenant:read',
  'tenant:list',
  'tenant:update',
  'tenant:delete',
];
