// Rows in every table a user or a tenant owns, so the purge tests can check that all of them go
// (and that the same rows of others stay).
import { type Database, toJson, uuidv7 } from '../../src/db/index.ts';
import { ago, DAY, insertCredential, insertSession, insertUser } from './job-support.ts';

export interface TenantBasics {
  groupId: string;
  roleId: string;
  policyId: string;
}

/** A group, a role and a policy (attached to the group) in the tenant. */
export async function seedTenantBasics(database: Database, tenantId: string): Promise<TenantBasics> {
  const groupId = uuidv7();
  const roleId = uuidv7();
  const policyId = uuidv7();
  const at = ago(DAY);
  await database.withTenant(tenantId, async (trx) => {
    await trx
      .insertInto('groups')
      .values({
        tenant_id: tenantId,
        id: groupId,
        name: `g-${groupId}`,
        name_normalized: `g-${groupId}`,
        description: '',
        created_at: at,
        updated_at: at,
      })
      .execute();
    await trx
      .insertInto('roles')
      .values({
        tenant_id: tenantId,
        id: roleId,
        name: `r-${roleId}`,
        description: '',
        permissions: toJson(['user:read']),
        system: false,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await trx
      .insertInto('group_roles')
      .values({ tenant_id: tenantId, group_id: groupId, role_id: roleId, created_at: at })
      .execute();
    const document = toJson({ version: '2026-01', statements: [] });
    await trx
      .insertInto('policies')
      .values({
        tenant_id: tenantId,
        id: policyId,
        name: `p-${policyId}`,
        description: '',
        version: 1,
        document,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await trx
      .insertInto('policy_versions')
      .values({
        tenant_id: tenantId,
        policy_id: policyId,
        version: 1,
        document,
        created_at: at,
        created_by: null,
      })
      .execute();
    await trx
      .insertInto('policy_attachments')
      .values({
        tenant_id: tenantId,
        policy_id: policyId,
        target_type: 'group',
        target_id: groupId,
        created_at: at,
      })
      .execute();
    await trx
      .insertInto('clients')
      .values({
        tenant_id: tenantId,
        id: uuidv7(),
        client_id: `c-${groupId}`,
        name: 'client',
        secret_hash: 'hash',
        previous_secret_hash: null,
        previous_secret_expires_at: null,
        grant_types: toJson(['client_credentials']),
        permissions: toJson([]),
        status: 'active',
        created_at: at,
        updated_at: at,
      })
      .execute();
    await trx
      .insertInto('signing_keys')
      .values({
        tenant_id: tenantId,
        kid: `k-${groupId}`,
        alg: 'EdDSA',
        public_jwk: toJson({}),
        private_key_enc: 'sealed',
        state: 'retired',
        created_at: at,
        activated_at: at,
        retired_at: at,
      })
      .execute();
    await trx
      .insertInto('webhooks')
      .values({
        tenant_id: tenantId,
        id: uuidv7(),
        url: 'https://hooks.example.test/x',
        event_types: toJson(['user.created']),
        secret_sealed: 'sealed',
        status: 'active',
        created_at: at,
        updated_at: at,
      })
      .execute();
    await trx
      .insertInto('revocations')
      .values({
        tenant_id: tenantId,
        kind: 'tenant',
        subject: tenantId,
        not_before: null,
        expires_at: ago(-DAY),
        created_at: at,
      })
      .execute();
    await trx
      .insertInto('outbox')
      .values({
        id: uuidv7(),
        tenant_id: tenantId,
        type: 'tenant.deleted',
        version: 1,
        payload: toJson({}),
        occurred_at: at,
        published_at: at,
      })
      .execute();
    await trx
      .insertInto('dead_letters')
      .values({
        id: uuidv7(),
        consumer: 'webhooks',
        event_id: uuidv7(),
        tenant_id: tenantId,
        type: 'user.created',
        body: '{}',
        error: 'down',
        attempts: 6,
        first_attempt_at: at,
        failed_at: at,
      })
      .execute();
  });
  return { groupId, roleId, policyId };
}

/** A user with a row in every table that belongs to a user. */
export async function seedUserWithData(
  database: Database,
  tenantId: string,
  basics: TenantBasics,
  options: { deletedAt?: string } = {},
): Promise<string> {
  const userId = await insertUser(database, tenantId, options);
  // A live session: deleted users' sessions go with them whatever their state.
  await insertSession(database, tenantId, userId, { expiresAt: ago(-10 * DAY) }, 2);
  const credential = await insertCredential(database, tenantId, userId);
  const at = ago(DAY);
  await database.withTenant(tenantId, async (trx) => {
    await trx
      .insertInto('mfa_used_steps')
      .values({ tenant_id: tenantId, credential_id: credential, step: 1, expires_at: ago(-DAY) })
      .execute();
    await trx
      .insertInto('mfa_recovery_codes')
      .values({
        tenant_id: tenantId,
        user_id: userId,
        code_hash: `h-${userId}`,
        created_at: at,
        used_at: null,
      })
      .execute();
    await trx
      .insertInto('mfa_challenges')
      .values({
        tenant_id: tenantId,
        token_hash: `c-${userId}`,
        user_id: userId,
        amr: toJson(['pwd']),
        ip: null,
        user_agent: null,
        created_at: at,
        expires_at: ago(-DAY),
        used_at: null,
      })
      .execute();
    await trx
      .insertInto('group_members')
      .values({ tenant_id: tenantId, group_id: basics.groupId, user_id: userId, created_at: at })
      .execute();
    await trx
      .insertInto('user_roles')
      .values({ tenant_id: tenantId, user_id: userId, role_id: basics.roleId, created_at: at })
      .execute();
    await trx
      .insertInto('user_tokens')
      .values({
        tenant_id: tenantId,
        id: uuidv7(),
        user_id: userId,
        purpose: 'reset_password',
        token_hash: `t-${userId}`,
        email: `${userId}@example.test`,
        created_at: at,
        expires_at: ago(-DAY),
        used_at: null,
        superseded_at: null,
      })
      .execute();
    await trx
      .insertInto('policy_attachments')
      .values({
        tenant_id: tenantId,
        policy_id: basics.policyId,
        target_type: 'user',
        target_id: userId,
        created_at: at,
      })
      .execute();
    await trx
      .insertInto('password_reminders')
      .values({ tenant_id: tenantId, user_id: userId, password_changed_at: ago(300 * DAY), sent_at: at })
      .execute();
  });
  return userId;
}

/** Tables whose rows name a user, and the column that does. */
export const USER_COLUMNS: Record<string, string> = {
  users: 'id',
  sessions: 'user_id',
  mfa_credentials: 'user_id',
  mfa_recovery_codes: 'user_id',
  mfa_challenges: 'user_id',
  group_members: 'user_id',
  user_roles: 'user_id',
  user_tokens: 'user_id',
  policy_attachments: 'target_id',
  password_reminders: 'user_id',
};
