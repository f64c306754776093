import { type Dialect, type Migration, TYPES, tenantRls } from './types.ts';

export const usersAndGroups: Migration = {
  version: 3,
  name: 'users-and-groups',
  up(dialect: Dialect): string[] {
    const t = TYPES[dialect];
    const statements = [
      'ALTER TABLE users ADD COLUMN status_reason text',
      // Keyset pages sorted by email, and prefix filters on email and name.
      'CREATE INDEX users_email_order ON users (tenant_id, email_normalized, id)',
      'CREATE INDEX users_name_order ON users (tenant_id, name, id)',
      `CREATE TABLE groups (
         tenant_id ${t.uuid} NOT NULL REFERENCES tenants (id),
         id ${t.uuid} NOT NULL,
         name text NOT NULL,
         name_normalized text NOT NULL,
         description text NOT NULL,
         created_at ${t.time} NOT NULL,
         updated_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, id)
       )`,
      'CREATE UNIQUE INDEX groups_name ON groups (tenant_id, name_normalized)',
      'CREATE INDEX groups_created ON groups (tenant_id, created_at, id)',
      `CREATE TABLE group_members (
         tenant_id ${t.uuid} NOT NULL,
         group_id ${t.uuid} NOT NULL,
         user_id ${t.uuid} NOT NULL,
         created_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, group_id, user_id),
         FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
         FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE INDEX group_members_user ON group_members (tenant_id, user_id, group_id)',
      // Single-use links (email verification, password reset, invitation): only a hash is stored.
      `CREATE TABLE user_tokens (
         tenant_id ${t.uuid} NOT NULL,
         id ${t.uuid} NOT NULL,
         user_id ${t.uuid} NOT NULL,
         purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'invite')),
         token_hash text NOT NULL,
         email text NOT NULL,
         created_at ${t.time} NOT NULL,
         expires_at ${t.time} NOT NULL,
         used_at ${t.time},
         superseded_at ${t.time},
         PRIMARY KEY (tenant_id, id),
         FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE UNIQUE INDEX user_tokens_hash ON user_tokens (tenant_id, token_hash)',
      'CREATE INDEX user_tokens_user ON user_tokens (tenant_id, user_id, purpose)',
      'CREATE INDEX user_tokens_expiry ON user_tokens (tenant_id, expires_at)',
    ];
    if (dialect === 'postgres') {
      for (const table of ['groups', 'group_members', 'user_tokens']) statements.push(...tenantRls(table));
    }
    return statements;
  },
};
