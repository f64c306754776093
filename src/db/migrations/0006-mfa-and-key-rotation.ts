import { type Dialect, type Migration, TYPES, tenantRls } from './types.ts';

export const mfaAndKeyRotation: Migration = {
  version: 6,
  name: 'mfa-and-key-rotation',
  up(dialect: Dialect): string[] {
    const t = TYPES[dialect];
    const statements = [
      // A session that may do only one thing until the user completes it (enrol a second factor the
      // tenant requires); its tokens carry the restriction and every other route refuses them.
      'ALTER TABLE sessions ADD COLUMN restriction text',
      // Key rotation publishes the next signing key before it signs: at most one per tenant.
      `CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (tenant_id) WHERE state = 'next'`,
      // One TOTP credential per user and state: a pending one (enrolment not yet confirmed) replaces
      // the active one only when it is confirmed. The secret is sealed with the key-encryption key.
      `CREATE TABLE mfa_credentials (
         tenant_id ${t.uuid} NOT NULL,
         id ${t.uuid} NOT NULL,
         user_id ${t.uuid} NOT NULL,
         kind text NOT NULL CHECK (kind IN ('totp')),
         status text NOT NULL CHECK (status IN ('pending', 'active')),
         secret_sealed text NOT NULL,
         created_at ${t.time} NOT NULL,
         confirmed_at ${t.time},
         PRIMARY KEY (tenant_id, id),
         FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE UNIQUE INDEX mfa_credentials_user ON mfa_credentials (tenant_id, user_id, kind, status)',
      // RFC 6238 §5.2: a code is accepted once. Each (credential, time step) that succeeded is kept
      // until the step can no longer fall inside the verification window.
      `CREATE TABLE mfa_used_steps (
         tenant_id ${t.uuid} NOT NULL,
         credential_id ${t.uuid} NOT NULL,
         step bigint NOT NULL,
         expires_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, credential_id, step),
         FOREIGN KEY (tenant_id, credential_id) REFERENCES mfa_credentials (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE INDEX mfa_used_steps_expiry ON mfa_used_steps (tenant_id, expires_at)',
      `CREATE TABLE mfa_recovery_codes (
         tenant_id ${t.uuid} NOT NULL,
         user_id ${t.uuid} NOT NULL,
         code_hash text NOT NULL,
         created_at ${t.time} NOT NULL,
         used_at ${t.time},
         PRIMARY KEY (tenant_id, user_id, code_hash),
         FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
       )`,
      // The second step of a sign-in: the hash of the mfa_token handed out after the password, bound to
      // the user and the attempt, single-use, short-lived, with its own failure count.
      `CREATE TABLE mfa_challenges (
         tenant_id ${t.uuid} NOT NULL,
         token_hash text NOT NULL,
         user_id ${t.uuid} NOT NULL,
         amr ${t.json} NOT NULL,
         ip text,
         user_agent text,
         failures integer NOT NULL DEFAULT 0,
         created_at ${t.time} NOT NULL,
         expires_at ${t.time} NOT NULL,
         used_at ${t.time},
         PRIMARY KEY (tenant_id, token_hash),
         FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE INDEX mfa_challenges_user ON mfa_challenges (tenant_id, user_id, created_at)',
      'CREATE INDEX mfa_challenges_expiry ON mfa_challenges (tenant_id, expires_at)',
    ];
    if (dialect === 'postgres') {
      for (const table of ['mfa_credentials', 'mfa_used_steps', 'mfa_recovery_codes', 'mfa_challenges']) {
        statements.push(...tenantRls(table));
      }
    }
    return statements;
  },
};
