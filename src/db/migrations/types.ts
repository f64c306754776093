export type Dialect = 'sqlite' | 'postgres';

/** Column types spelled per dialect, so one migration text serves both databases. */
export interface DialectTypes {
  uuid: string;
  time: string;
  json: string;
  bool: string;
}

export const TYPES: Record<Dialect, DialectTypes> = {
  sqlite: { uuid: 'text', time: 'text', json: 'text', bool: 'integer' },
  postgres: { uuid: 'uuid', time: 'timestamptz', json: 'jsonb', bool: 'boolean' },
};

export interface Migration {
  version: number;
  name: string;
  /** SQL statements for the dialect, run in order inside one transaction. */
  up(dialect: Dialect): string[];
}

/**
 * Row-level security for a tenant-owned table (PostgreSQL): rows are visible and writable only when
 * `tenant_id` equals the transaction's `app.tenant_id`; with no tenant set, nothing is visible.
 */
export function tenantRls(table: string): string[] {
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON ${table}
       USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
       WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`,
  ];
}
