import { type Dialect, type Migration, TYPES, tenantRls } from './types.ts';

export const sessionsAndClients: Migration = {
  version: 4,
  name: 'sessions-and-clients',
  up(dialect: Dialect): string[] {
    const t = TYPES[dialect];
    const statements = [
      // One row per sign-in; access tokens name it in `sid`, refresh tokens belong to it (the family).
      `CREATE TABLE sessions (
         tenant_id ${t.uuid} NOT NULL,
         id ${t.uuid} NOT NULL,
         user_id ${t.uuid} NOT NULL,
         amr ${t.json} NOT NULL,
         user_agent text,
         ip text,
         created_at ${t.time} NOT NULL,
         last_used_at ${t.time} NOT NULL,
         idle_expires_at ${t.time} NOT NULL,
         expires_at ${t.time} NOT NULL,
         revoked_at ${t.time},
         revoked_reason text,
         PRIMARY KEY (tenant_id, id),
         FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE INDEX sessions_user ON sessions (tenant_id, user_id, created_at)',
      'CREATE INDEX sessions_expiry ON sessions (tenant_id, expires_at)',
      // Refresh tokens are stored as hashes; a used one stays (with used_at) so its reuse is detected.
      `CREATE TABLE refresh_tokens (
         tenant_id ${t.uuid} NOT NULL,
         token_hash text NOT NULL,
         session_id ${t.uuid} NOT NULL,
         created_at ${t.time} NOT NULL,
         used_at ${t.time},
         PRIMARY KEY (tenant_id, token_hash),
         FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE INDEX refresh_tokens_session ON refresh_tokens (tenant_id, session_id)',
      // Changes every process must learn of at once: revoked sessions, tokens, users and tenants, and
      // authorization data that cached decisions depend on. Each process reads new rows in \`seq\`
      // order, so a logout or a role change on one replica applies on all.
      `CREATE TABLE revocations (
         seq ${dialect === 'postgres' ? 'bigserial' : 'integer'} PRIMARY KEY${dialect === 'sqlite' ? ' AUTOINCREMENT' : ''},
         tenant_id ${t.uuid} NOT NULL,
         kind text NOT NULL CHECK (kind IN ('session', 'token', 'user', 'tenant', 'authz')),
         subject text NOT NULL,
         not_before ${t.time},
         expires_at ${t.time} NOT NULL,
         created_at ${t.time} NOT NULL
       )`,
      'CREATE INDEX revocations_expiry ON revocations (expires_at)',
      `CREATE TABLE clients (
         tenant_id ${t.uuid} NOT NULL REFERENCES tenants (id),
         id ${t.uuid} NOT NULL,
         client_id text NOT NULL,
         name text NOT NULL,
         secret_hash text NOT NULL,
         previous_secret_hash text,
         previous_secret_expires_at ${t.time},
         grant_types ${t.json} NOT NULL,
         permissions ${t.json} NOT NULL,
         status text NOT NULL CHECK (status IN ('active', 'disabled')),
         created_at ${t.time} NOT NULL,
         updated_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, id)
       )`,
      'CREATE UNIQUE INDEX clients_client_id ON clients (tenant_id, client_id)',
    ];
    if (dialect === 'postgres') {
      for (const table of ['sessions', 'refresh_tokens', 'clients']) statements.push(...tenantRls(table));
    }
    return statements;
  },
};
