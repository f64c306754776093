import { type Dialect, type Migration, TYPES, tenantRls } from './types.ts';

export const foundation: Migration = {
  version: 1,
  name: 'foundation',
  up(dialect: Dialect): string[] {
    const t = TYPES[dialect];
    const statements = [
      `CREATE TABLE tenants (
         id ${t.uuid} PRIMARY KEY,
         slug text NOT NULL,
         display_name text NOT NULL,
         status text NOT NULL CHECK (status IN ('active', 'suspended', 'deleted')),
         settings ${t.json} NOT NULL,
         created_at ${t.time} NOT NULL,
         updated_at ${t.time} NOT NULL,
         deleted_at ${t.time}
       )`,
      // A slug stays taken until its deleted tenant is purged, so old links never reach a new owner.
      'CREATE UNIQUE INDEX tenants_slug ON tenants (slug)',
      'CREATE INDEX tenants_created ON tenants (created_at, id)',
      `CREATE TABLE users (
         tenant_id ${t.uuid} NOT NULL REFERENCES tenants (id),
         id ${t.uuid} NOT NULL,
         email text NOT NULL,
         email_normalized text NOT NULL,
         email_verified ${t.bool} NOT NULL,
         password_hash text,
         status text NOT NULL CHECK (status IN ('active', 'deactivated')),
         name text,
         given_name text,
         family_name text,
         locale text,
         zoneinfo text,
         phone_number text,
         attributes ${t.json} NOT NULL,
         version integer NOT NULL,
         created_at ${t.time} NOT NULL,
         updated_at ${t.time} NOT NULL,
         last_login_at ${t.time},
         password_changed_at ${t.time},
         deleted_at ${t.time},
         PRIMARY KEY (tenant_id, id)
       )`,
      'CREATE UNIQUE INDEX users_email ON users (tenant_id, email_normalized) WHERE deleted_at IS NULL',
      'CREATE INDEX users_created ON users (tenant_id, created_at, id)',
      `CREATE TABLE roles (
         tenant_id ${t.uuid} NOT NULL REFERENCES tenants (id),
         id ${t.uuid} NOT NULL,
         name text NOT NULL,
         description text NOT NULL,
         permissions ${t.json} NOT NULL,
         system ${t.bool} NOT NULL,
         created_at ${t.time} NOT NULL,
         updated_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, id)
       )`,
      'CREATE UNIQUE INDEX roles_name ON roles (tenant_id, name)',
      `CREATE TABLE user_roles (
         tenant_id ${t.uuid} NOT NULL,
         user_id ${t.uuid} NOT NULL,
         role_id ${t.uuid} NOT NULL,
         created_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, user_id, role_id),
         FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
         FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE INDEX user_roles_role ON user_roles (tenant_id, role_id)',
      // The outbox spans tenants (the relay reads every tenant's events), so it has no row-level policy;
      // `tenant_id` is null for platform events.
      `CREATE TABLE outbox (
         id ${t.uuid} PRIMARY KEY,
         tenant_id ${t.uuid},
         type text NOT NULL,
         version integer NOT NULL,
         payload ${t.json} NOT NULL,
         occurred_at ${t.time} NOT NULL,
         published_at ${t.time},
         attempts integer NOT NULL DEFAULT 0
       )`,
      'CREATE INDEX outbox_pending ON outbox (occurred_at, id) WHERE published_at IS NULL',
    ];
    if (dialect === 'postgres') {
      for (const table of ['users', 'roles', 'user_roles']) statements.push(...tenantRls(table));
    }
    return statements;
  },
};
