// Scale data for PostgreSQL: SCALE_TENANTS tenants (default 10,000), each with its system roles and
// one administrator, and the tenant `scale` with SCALE_USERS users (1,000,000), SCALE_GROUPS groups
// (10,000) and SCALE_POLICIES policies (1,000). Rows are written the way the service writes them
// (UUIDv7 ids in creation order, system roles from src/roles, policy documents that pass the
// engine's validation), but with set-based INSERT … SELECT statements instead of one request each.
// Every seeded user shares SEED_PASSWORD through one precomputed argon2id hash at the configured cost.
// No events are written: the seeded history is not something consumers should replay.
//
//   DATABASE_URL=postgres://gatehouse_app@127.0.0.1:5432/gh \
//   DATABASE_MIGRATION_URL=postgres://postgres@127.0.0.1:5432/gh npm run seed:scale
//
// Migrates first (as `npm run migrate`), then seeds as the schema owner, which must bypass row-level
// security (a superuser or BYPASSRLS role): one statement writes the rows of many tenants.
import pg from 'pg';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { validatePolicy } from '../src/policies/engine/index.ts';
import { MAX_POLICIES_PER_TARGET, MAX_POLICIES_PER_TENANT } from '../src/policies/index.ts';
import { SYSTEM_ROLES } from '../src/roles/index.ts';
import { runMigrations } from '../src/startup.ts';
import { isValidSlug, RESERVED_SLUGS } from '../src/tenants/index.ts';
import { createPasswordHasher } from '../src/users/index.ts';

export const SEED_PASSWORD = 'seeded user passphrase 2026';
export const SCALE_SLUG = 'scale';

export interface ScaleSizes {
  tenants: number;
  users: number;
  groups: number;
  policies: number;
}

interface TenantContent {
  users: number;
  groups: number;
  policies: number;
}

export interface SeededTenant {
  id: string;
  slug: string;
  /** Holds the tenant's `admin` role; signs in with SEED_PASSWORD like every seeded user. */
  adminEmail: string;
  users: number;
}

export const seededEmail = (slug: string, n: number) => `user${n}@${slug}.test`;
const adminEmail = (slug: string) => `admin@${slug}.test`;
const ROWS_PER_STATEMENT = 100_000;
const YEAR_MS = 365 * 86_400_000;

/**
 * A UUIDv7 (src/db/ids.ts) for a row created at `ms`: 48-bit timestamp, version 7, then random
 * `rand_a`, the RFC 9562 variant and random `rand_b`. Each random() is drawn per row.
 */
const uuid7 = (ms: string) =>
  `(lpad(to_hex((${ms})::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3)
    || substr('89ab', 1 + floor(random() * 4)::int, 1) || substr(md5(random()::text), 1, 15))::uuid`;

/** The service's PostgreSQL timestamps are milliseconds; ids carry the same instant. */
const at = (ms: string) => `to_timestamp((${ms})::bigint / 1000.0)`;

/**
 * Tenants named by `slugs`, each with the system roles tenant creation gives it (SYSTEM_ROLES) and
 * an administrator, created in slug order over the year before the last (their content is spread
 * over the last year, so nothing predates its tenant).
 */
async function seedTenants(
  client: pg.ClientBase,
  slugs: readonly string[],
  passwordHash: string,
): Promise<Map<string, string>> {
  for (const slug of slugs) {
    if (!isValidSlug(slug) || RESERVED_SLUGS.has(slug)) throw new Error(`not a tenant slug: ${slug}`);
  }
  const base = Date.now() - 2 * YEAR_MS;
  const step = Math.max(1, Math.floor(YEAR_MS / (slugs.length + 1)));
  const tenants = await client.query<{ id: string; slug: string }>(
    `INSERT INTO tenants (id, slug, display_name, status, settings, created_at, updated_at)
     SELECT ${uuid7('ms')}, slug, initcap(replace(slug, '-', ' ')), 'active', '{}', ${at('ms')}, ${at('ms')}
     FROM (SELECT slug, $2::bigint + i * $3::bigint AS ms FROM unnest($1::text[]) WITH ORDINALITY AS s (slug, i)) s
     RETURNING id, slug`,
    [slugs, base, step],
  );
  const roles = Object.entries(SYSTEM_ROLES).map(([name, role]) => ({
    name,
    description: role.description,
    permissions: role.permissions,
  }));
  await client.query(
    `INSERT INTO roles (tenant_id, id, name, description, permissions, system, created_at, updated_at)
     SELECT t.id, ${uuid7('extract(epoch FROM t.created_at) * 1000')}, r.name, r.description, r.permissions, true,
       t.created_at, t.created_at
     FROM tenants t CROSS JOIN jsonb_to_recordset($2::jsonb) AS r (name text, description text, permissions jsonb)
     WHERE t.slug = ANY ($1::text[])`,
    [slugs, JSON.stringify(roles)],
  );
  await client.query(
    `INSERT INTO users (tenant_id, id, email, email_normalized, email_verified, password_hash, status, name,
       attributes, version, created_at, updated_at, password_changed_at)
     SELECT t.id, ${uuid7('extract(epoch FROM t.created_at) * 1000')}, 'admin@' || t.slug || '.test',
       'admin@' || t.slug || '.test', true, $2, 'active', 'Administrator', '{}', 1, t.created_at,
       t.created_at, t.created_at
     FROM tenants t WHERE t.slug = ANY ($1::text[])`,
    [slugs, passwordHash],
  );
  await client.query(
    `INSERT INTO user_roles (tenant_id, user_id, role_id, created_at)
     SELECT u.tenant_id, u.id, r.id, u.created_at
     FROM tenants t
     JOIN users u ON u.tenant_id = t.id AND u.email_normalized = 'admin@' || t.slug || '.test'
     JOIN roles r ON r.tenant_id = t.id AND r.name = 'admin'
     WHERE t.slug = ANY ($1::text[])`,
    [slugs],
  );
  return new Map(tenants.rows.map((r) => [r.slug, r.id]));
}

/** Policy `n`: a guardrail of the kind tenants write, different enough per policy to compile apart. */
function policyDocument(n: number): unknown {
  const document = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `DenyDeletesOutsideOffice${n}`,
        Effect: 'Deny',
        Action: ['user:delete', 'group:delete'],
        Resource: '*',
        Condition: { NotIpAddress: { 'request.ip': `10.${n % 256}.0.0/16` } },
      },
      { Sid: `ReadOwnGroup${n}`, Effect: 'Allow', Action: 'group:read', Resource: `group/*` },
    ],
  };
  const issues = validatePolicy(document);
  if (issues.length > 0) throw new Error(`seed policy ${n} is invalid: ${JSON.stringify(issues)}`);
  return document;
}

/**
 * Users `from`…`from + count - 1` of a tenant (`<prefix><n>@<slug>.test`), created over the past year
 * in order, each holding the `user` role (every tenth `auditor`) and, when the tenant has `groups`
 * groups, a member of group ((n - 1) mod groups) + 1.
 */
export async function seedUsers(
  client: pg.ClientBase,
  tenant: { id: string; slug: string },
  options: { from: number; count: number; groups: number; passwordHash: string; prefix?: string },
): Promise<void> {
  const prefix = options.prefix ?? 'user';
  const last = options.from + options.count - 1;
  const base = Date.now() - YEAR_MS;
  const step = Math.max(1, Math.floor(YEAR_MS / (last + 1)));
  for (let start = options.from; start <= last; start += ROWS_PER_STATEMENT) {
    const end = Math.min(last, start + ROWS_PER_STATEMENT - 1);
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE seed_users ON COMMIT DROP AS
       SELECT n, ${uuid7('ms')} AS id, ${at('ms')} AS created_at
       FROM (SELECT n, $3::bigint + n * $4::bigint AS ms FROM generate_series($1::int, $2::int) AS n) s`,
      [start, end, base, step],
    );
    await client.query(
      `INSERT INTO users (tenant_id, id, email, email_normalized, email_verified, password_hash, status, name,
         attributes, version, created_at, updated_at, password_changed_at)
       SELECT $1, id, $2 || n || '@' || $3 || '.test', $2 || n || '@' || $3 || '.test', true, $4, 'active',
         'User ' || n, '{}', 1, created_at, created_at, created_at
       FROM seed_users`,
      [tenant.id, prefix, tenant.slug, options.passwordHash],
    );
    await client.query(
      `INSERT INTO user_roles (tenant_id, user_id, role_id, created_at)
       SELECT $1, s.id, r.id, s.created_at
       FROM seed_users s JOIN roles r ON r.tenant_id = $1 AND r.name = CASE WHEN s.n % 10 = 0 THEN 'auditor' ELSE 'user' END`,
      [tenant.id],
    );
    if (options.groups > 0) {
      await client.query(
        `INSERT INTO group_members (tenant_id, group_id, user_id, created_at)
         SELECT $1, g.id, s.id, s.created_at
         FROM seed_users s
         JOIN groups g ON g.tenant_id = $1 AND g.name_normalized = 'group-' || lpad(((s.n - 1) % $2 + 1)::text, 5, '0')`,
        [tenant.id, options.groups],
      );
    }
    await client.query('COMMIT');
  }
}

/**
 * A tenant's groups (every tenth holding the `auditor` role), users and policies, policy n attached
 * to group ((n - 1) mod groups) + 1, with its first version as policy creation stores it.
 */
export async function seedTenantContent(
  client: pg.ClientBase,
  tenant: { id: string; slug: string },
  content: TenantContent,
  passwordHash: string,
): Promise<void> {
  // The service's own caps: what it would refuse to hold is not a fair picture of a tenant.
  if (content.policies > MAX_POLICIES_PER_TENANT)
    throw new Error(`at most ${MAX_POLICIES_PER_TENANT} policies per tenant`);
  if (content.policies > 0 && content.policies > content.groups * MAX_POLICIES_PER_TARGET)
    throw new Error(
      `${content.policies} policies need at least ${Math.ceil(content.policies / MAX_POLICIES_PER_TARGET)} groups`,
    );
  if (content.groups > 99_999) throw new Error('at most 99,999 groups');
  const base = Date.now() - YEAR_MS;
  const groupStep = Math.max(1, Math.floor(YEAR_MS / (content.groups + 1)));
  await client.query(
    `INSERT INTO groups (tenant_id, id, name, name_normalized, description, created_at, updated_at)
     SELECT $1, ${uuid7('ms')}, name, name, 'Seeded group', ${at('ms')}, ${at('ms')}
     FROM (SELECT 'group-' || lpad(n::text, 5, '0') AS name, $3::bigint + n * $4::bigint AS ms
           FROM generate_series(1, $2::int) AS n) s`,
    [tenant.id, content.groups, base, groupStep],
  );
  await client.query(
    `INSERT INTO group_roles (tenant_id, group_id, role_id, created_at)
     SELECT g.tenant_id, g.id, r.id, g.created_at
     FROM groups g JOIN roles r ON r.tenant_id = g.tenant_id AND r.name = 'auditor'
     WHERE g.tenant_id = $1 AND right(g.name_normalized, 1) = '0'`,
    [tenant.id],
  );
  await seedUsers(client, tenant, { from: 1, count: content.users, groups: content.groups, passwordHash });
  const documents = Array.from({ length: content.policies }, (_, i) => JSON.stringify(policyDocument(i + 1)));
  const policyStep = Math.max(1, Math.floor(YEAR_MS / (content.policies + 1)));
  await client.query(
    `INSERT INTO policies (tenant_id, id, name, description, version, document, created_at, updated_at)
     SELECT $1, ${uuid7('ms')}, 'policy-' || lpad(i::text, 4, '0'), 'Seeded guardrail', 1, document, ${at('ms')},
       ${at('ms')}
     FROM (SELECT document, i, $3::bigint + i * $4::bigint AS ms
           FROM unnest($2::jsonb[]) WITH ORDINALITY AS d (document, i)) s`,
    [tenant.id, documents, base, policyStep],
  );
  await client.query(
    `INSERT INTO policy_versions (tenant_id, policy_id, version, document, created_at, created_by)
     SELECT tenant_id, id, version, document, created_at, NULL FROM policies WHERE tenant_id = $1`,
    [tenant.id],
  );
  if (content.groups > 0) {
    await client.query(
      `INSERT INTO policy_attachments (tenant_id, policy_id, target_type, target_id, created_at)
       SELECT p.tenant_id, p.id, 'group', g.id, p.created_at
       FROM policies p
       JOIN groups g ON g.tenant_id = p.tenant_id
         AND g.name_normalized = 'group-' || lpad(((right(p.name, 4)::int - 1) % $2 + 1)::text, 5, '0')
       WHERE p.tenant_id = $1`,
      [tenant.id, content.groups],
    );
  }
}

/** One tenant with content, as the benchmarks use it. */
export async function seedTenant(
  client: pg.ClientBase,
  slug: string,
  content: TenantContent,
  passwordHash: string,
): Promise<SeededTenant> {
  const id = (await seedTenants(client, [slug], passwordHash)).get(slug) as string;
  await seedTenantContent(client, { id, slug }, content, passwordHash);
  await client.query('ANALYZE');
  return { id, slug, adminEmail: adminEmail(slug), users: content.users };
}

export interface ScaleReport {
  tenant: SeededTenant;
  seconds: { tenants: number; bigTenant: number; analyze: number; total: number };
}

/** The whole scale data set: the small tenants, then the big one, then fresh planner statistics. */
export async function seedScale(
  client: pg.ClientBase,
  sizes: ScaleSizes,
  passwordHash: string,
): Promise<ScaleReport> {
  const started = performance.now();
  const lap = (since: number) => (performance.now() - since) / 1000;
  const slugs = Array.from({ length: sizes.tenants }, (_, i) => `scale-${String(i + 1).padStart(5, '0')}`);
  await seedTenants(client, slugs, passwordHash);
  const tenants = lap(started);
  const big = performance.now();
  const id = (await seedTenants(client, [SCALE_SLUG], passwordHash)).get(SCALE_SLUG) as string;
  await seedTenantContent(client, { id, slug: SCALE_SLUG }, sizes, passwordHash);
  const bigTenant = lap(big);
  const analyzing = performance.now();
  await client.query('ANALYZE');
  return {
    tenant: { id, slug: SCALE_SLUG, adminEmail: adminEmail(SCALE_SLUG), users: sizes.users },
    seconds: { tenants, bigTenant, analyze: lap(analyzing), total: lap(started) },
  };
}

const size = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number`);
  return value;
};

/** SCALE_* from the environment, with the sizes the scale figures are quoted at as defaults. */
export function scaleSizes(): ScaleSizes {
  return {
    tenants: size('SCALE_TENANTS', 10_000),
    users: size('SCALE_USERS', 1_000_000),
    groups: size('SCALE_GROUPS', 10_000),
    policies: size('SCALE_POLICIES', 1_000),
  };
}

/** The one argon2id hash every seeded user shares, at the cost the service is configured with. */
export function seedPasswordHash(config: {
  ARGON2_MEMORY_KIB: number;
  ARGON2_ITERATIONS: number;
  ARGON2_PARALLELISM: number;
}): Promise<string> {
  return createPasswordHasher({
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_ITERATIONS,
    parallelism: config.ARGON2_PARALLELISM,
  }).hash(SEED_PASSWORD);
}

async function main(): Promise<void> {
  const { config } = loadConfig();
  const ownerUrl = config.DATABASE_MIGRATION_URL || config.DATABASE_URL;
  if (!ownerUrl)
    throw new ConfigError(['seed:scale needs DATABASE_URL (and DATABASE_MIGRATION_URL) on PostgreSQL']);
  const sizes = scaleSizes();
  await runMigrations(config);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const role = await client.query<{ bypass: boolean }>(
      'SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user',
    );
    if (!role.rows[0]?.bypass)
      throw new Error('seed:scale writes many tenants per statement: connect as a role that bypasses RLS');
    const taken = await client.query('SELECT 1 FROM tenants WHERE slug = $1', [SCALE_SLUG]);
    if (taken.rowCount) throw new Error(`this database already has the tenant "${SCALE_SLUG}"`);
    const report = await seedScale(client, sizes, await seedPasswordHash(config));
    const s = report.seconds;
    process.stdout.write(
      [
        `seeded ${sizes.tenants.toLocaleString('en')} tenants in ${s.tenants.toFixed(1)} s`,
        `seeded tenant "${SCALE_SLUG}": ${sizes.users.toLocaleString('en')} users, ${sizes.groups.toLocaleString('en')} groups, ${sizes.policies.toLocaleString('en')} policies in ${s.bigTenant.toFixed(1)} s`,
        `ANALYZE ${s.analyze.toFixed(1)} s; total ${s.total.toFixed(1)} s`,
        `every seeded user (${seededEmail(SCALE_SLUG, 1)}, ${report.tenant.adminEmail}, admin@scale-00001.test, …) signs in with "${SEED_PASSWORD}"`,
        '',
      ].join('\n'),
    );
  } finally {
    await client.end();
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
