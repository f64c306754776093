import { type Dialect, type Migration, TYPES, tenantRls } from './types.ts';

export const policies: Migration = {
  version: 5,
  name: 'policies',
  up(dialect: Dialect): string[] {
    const t = TYPES[dialect];
    const statements = [
      `CREATE TABLE group_roles (
         tenant_id ${t.uuid} NOT NULL,
         group_id ${t.uuid} NOT NULL,
         role_id ${t.uuid} NOT NULL,
         created_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, group_id, role_id),
         FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
         FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE INDEX group_roles_role ON group_roles (tenant_id, role_id)',
      `CREATE TABLE policies (
         tenant_id ${t.uuid} NOT NULL REFERENCES tenants (id),
         id ${t.uuid} NOT NULL,
         name text NOT NULL,
         description text NOT NULL,
         version integer NOT NULL,
         document ${t.json} NOT NULL,
         created_at ${t.time} NOT NULL,
         updated_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, id)
       )`,
      'CREATE UNIQUE INDEX policies_name ON policies (tenant_id, name)',
      'CREATE INDEX policies_created ON policies (tenant_id, created_at, id)',
      // Every version ever saved, for history and diff.
      `CREATE TABLE policy_versions (
         tenant_id ${t.uuid} NOT NULL,
         policy_id ${t.uuid} NOT NULL,
         version integer NOT NULL,
         document ${t.json} NOT NULL,
         created_at ${t.time} NOT NULL,
         created_by ${t.uuid},
         PRIMARY KEY (tenant_id, policy_id, version),
         FOREIGN KEY (tenant_id, policy_id) REFERENCES policies (tenant_id, id) ON DELETE CASCADE
       )`,
      // A policy attaches to a role, a group or a user (`target_type`, `target_id`).
      `CREATE TABLE policy_attachments (
         tenant_id ${t.uuid} NOT NULL,
         policy_id ${t.uuid} NOT NULL,
         target_type text NOT NULL CHECK (target_type IN ('role', 'group', 'user')),
         target_id ${t.uuid} NOT NULL,
         created_at ${t.time} NOT NULL,
         PRIMARY KEY (tenant_id, policy_id, target_type, target_id),
         FOREIGN KEY (tenant_id, policy_id) REFERENCES policies (tenant_id, id) ON DELETE CASCADE
       )`,
      'CREATE INDEX policy_attachments_target ON policy_attachments (tenant_id, target_type, target_id)',
    ];
    if (dialect === 'postgres') {
      for (const table of ['group_roles', 'policies', 'policy_versions', 'policy_attachments'])
        statements.push(...tenantRls(table));
    }
    return statements;
  },
};
