import type { Generated } from 'kysely';

// Row types as both dialects return them after normalisation: times are ISO 8601 strings,
// JSON columns arrive parsed (PostgreSQL) or as text (SQLite) and are read through `fromJson`.
type Timestamp = string;
type Json = unknown;

export interface TenantsTable {
  id: string;
  slug: string;
  display_name: string;
  status: 'active' | 'suspended' | 'deleted';
  settings: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  email: string;
  email_normalized: string;
  email_verified: boolean | number;
  password_hash: string | null;
  status: 'active' | 'deactivated';
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  locale: string | null;
  zoneinfo: string | null;
  phone_number: string | null;
  attributes: Json;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: Timestamp | null;
  password_changed_at: Timestamp | null;
  deleted_at: Timestamp | null;
  status_reason: string | null;
}

export interface GroupsTable {
  tenant_id: string;
  id: string;
  name: string;
  name_normalized: string;
  description: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupMembersTable {
  tenant_id: string;
  group_id: string;
  user_id: string;
  created_at: Timestamp;
}

export interface UserTokensTable {
  tenant_id: string;
  id: string;
  user_id: string;
  purpose: 'verify_email' | 'reset_password' | 'invite';
  token_hash: string;
  email: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  superseded_at: Timestamp | null;
}

export interface RolesTable {
  tenant_id: string;
  id: string;
  name: string;
  description: string;
  permissions: Json;
  system: boolean | number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserRolesTable {
  tenant_id: string;
  user_id: string;
  role_id: string;
  created_at: Timestamp;
}

export interface SigningKeysTable {
  tenant_id: string;
  kid: string;
  alg: string;
  public_jwk: Json;
  private_key_enc: string;
  state: 'next' | 'active' | 'retired';
  created_at: Timestamp;
  activated_at: Timestamp | null;
  retired_at: Timestamp | null;
}

export interface SessionsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  amr: Json;
  user_agent: string | null;
  ip: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp;
  idle_expires_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  restriction: string | null;
}

export interface RefreshTokensTable {
  tenant_id: string;
  token_hash: string;
  session_id: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

export interface RevocationsTable {
  seq: Generated<number>;
  tenant_id: string;
  kind: 'session' | 'token' | 'user' | 'tenant' | 'authz';
  subject: string;
  not_before: Timestamp | null;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface ClientsTable {
  tenant_id: string;
  id: string;
  client_id: string;
  name: string;
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_secret_expires_at: Timestamp | null;
  grant_types: Json;
  permissions: Json;
  status: 'active' | 'disabled';
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupRolesTable {
  tenant_id: string;
  group_id: string;
  role_id: string;
  created_at: Timestamp;
}

export interface PoliciesTable {
  tenant_id: string;
  id: string;
  name: string;
  description: string;
  version: number;
  document: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PolicyVersionsTable {
  tenant_id: string;
  policy_id: string;
  version: number;
  document: Json;
  created_at: Timestamp;
  created_by: string | null;
}

export interface PolicyAttachmentsTable {
  tenant_id: string;
  policy_id: string;
  target_type: 'role' | 'group' | 'user';
  target_id: string;
  created_at: Timestamp;
}

export interface OutboxTable {
  id: string;
  tenant_id: string | null;
  type: string;
  version: number;
  payload: Json;
  occurred_at: Timestamp;
  published_at: Timestamp | null;
  attempts: Generated<number>;
}

export interface MfaCredentialsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  kind: 'totp';
  status: 'pending' | 'active';
  secret_sealed: string;
  created_at: Timestamp;
  confirmed_at: Timestamp | null;
}

export interface MfaUsedStepsTable {
  tenant_id: string;
  credential_id: string;
  step: number | string;
  expires_at: Timestamp;
}

export interface MfaRecoveryCodesTable {
  tenant_id: string;
  user_id: string;
  code_hash: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

export interface MfaChallengesTable {
  tenant_id: string;
  token_hash: string;
  user_id: string;
  amr: Json;
  ip: string | null;
  user_agent: string | null;
  failures: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface QueueMessagesTable {
  id: string;
  consumer: string;
  event_id: string;
  body: string;
  attempts: Generated<number>;
  first_attempt_at: Timestamp | null;
  last_error: string | null;
  available_at: Timestamp;
  locked_until: Timestamp | null;
  created_at: Timestamp;
}

export interface DeadLettersTable {
  id: string;
  consumer: string;
  event_id: string | null;
  tenant_id: string | null;
  type: string | null;
  body: string;
  error: string;
  attempts: number;
  first_attempt_at: Timestamp | null;
  failed_at: Timestamp;
}

export interface ConsumedEventsTable {
  consumer: string;
  event_id: string;
  consumed_at: Timestamp;
}

export interface WebhooksTable {
  tenant_id: string;
  id: string;
  url: string;
  event_types: Json;
  secret_sealed: string;
  status: 'active' | 'disabled';
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Timestamp;
}

export interface JobLeasesTable {
  job: string;
  holder: string;
  run_id: string | null;
  slot: Timestamp | null;
  acquired_at: Timestamp;
  expires_at: Timestamp;
}

export interface JobRunsTable {
  id: string;
  job: string;
  trigger: 'schedule' | 'manual' | 'command';
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  holder: string;
  triggered_by: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  rows_affected: Generated<number>;
  batches: Generated<number>;
  error: string | null;
}

export interface PasswordRemindersTable {
  tenant_id: string;
  user_id: string;
  password_changed_at: Timestamp;
  sent_at: Timestamp;
}

export interface DB {
  tenants: TenantsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  user_tokens: UserTokensTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  signing_keys: SigningKeysTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  clients: ClientsTable;
  group_roles: GroupRolesTable;
  policies: PoliciesTable;
  policy_versions: PolicyVersionsTable;
  policy_attachments: PolicyAttachmentsTable;
  outbox: OutboxTable;
  mfa_credentials: MfaCredentialsTable;
  mfa_used_steps: MfaUsedStepsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  queue_messages: QueueMessagesTable;
  dead_letters: DeadLettersTable;
  consumed_events: ConsumedEventsTable;
  webhooks: WebhooksTable;
  schema_migrations: SchemaMigrationsTable;
  job_leases: JobLeasesTable;
  job_runs: JobRunsTable;
  password_reminders: PasswordRemindersTable;
}

/** Reads a JSON column the same way on both dialects. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Writes a JSON column: PostgreSQL parses the text into jsonb, SQLite stores it as text. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Reads a boolean column the same way on both dialects (SQLite stores 0/1). */
export function fromBool(value: boolean | number): boolean {
  return value === true || value === 1;
}
