// User list pagination: a tenant with USERS users (default 1,000,000) on PostgreSQL, and the
// latency of one page (limit 50) at depth 1, 100 and 10,000, for both sort orders.
// Run: npm run bench:pagination   (needs PostgreSQL; BENCH_USERS to change the size)
import { sql } from 'kysely';
import { createDatabase } from '../src/db/index.ts';
import { encodeCursor } from '../src/http/index.ts';
import { assignRole } from '../src/roles/index.ts';
import { createPasswordHasher, insertUser } from '../src/users/index.ts';
import { startServer } from './support/server.ts';

const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const SAMPLES = 200;
const PAGE = 50;

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const server = await startServer({ workers: 1 });
  try {
    const tenant = { id: await server.createTenant('big') };

    const owner = createDatabase({
      url: server.ownerUrl,
      dataDir: '/tmp',
      poolMax: 2,
      statementTimeoutMs: 600_000,
    });
    const seeded = performance.now();
    // One set-based insert per 100,000 rows: ids are UUIDv7-shaped and creation times spread over a year.
    for (let start = 0; start < USERS; start += 100_000) {
      const end = Math.min(USERS, start + 100_000) - 1;
      await sql`
        INSERT INTO users (tenant_id, id, email, email_normalized, email_verified, password_hash, status, attributes, version, created_at, updated_at)
        SELECT ${tenant.id}::uuid,
               (lpad(to_hex(1700000000000 + n), 12, '0') || '7' || substr(md5(n::text), 1, 19))::uuid,
               'user' || n || '@big.test', 'user' || n || '@big.test', true, NULL, 'active', '{}'::jsonb, 1,
               timestamptz '2025-01-01' + n * interval '31 seconds', now()
        FROM generate_series(${start}::int, ${end}::int) AS n`.execute(owner.db);
    }
    await sql`ANALYZE users`.execute(owner.db);
    const seedSeconds = (performance.now() - seeded) / 1000;

    const lines = [
      `${USERS.toLocaleString('en')} users seeded in ${seedSeconds.toFixed(1)} s (PostgreSQL, set-based inserts)`,
      '',
      '| sort | depth (page) | p50 ms | p99 ms |',
      '|---|---|---|---|',
    ];
    // A tenant administrator reads the list (a platform operator's reads would each be recorded).
    const adminId = '00000000-0000-7000-8000-00000000abcd';
    const passwordHash = await createPasswordHasher({ memoryCost: 19_456, timeCost: 2, parallelism: 1 }).hash(
      'big admin passphrase',
    );
    await owner.withTenant(tenant.id, async (trx) => {
      const now = new Date().toISOString();
      await insertUser(trx, tenant.id, {
        id: adminId,
        email: 'admin@big.test',
        emailNormalized: 'admin@big.test',
        emailVerified: true,
        passwordHash,
        name: null,
        now,
      });
      await assignRole(trx, tenant.id, adminId, 'admin', now);
    });
    const tenantAdmin = await server.post<{ access_token: string }>('/t/big/v1/auth/login', {
      email: 'admin@big.test',
      password: 'big admin passphrase',
    });
    const adminToken = tenantAdmin.access_token;
    for (const sort of ['created_at', 'email'] as const) {
      const column = sort === 'email' ? 'email_normalized' : 'created_at';
      // Pages the seeded tenant has (BENCH_USERS can make it smaller than a million).
      for (const depth of [1, 100, 10_000].filter((d) => d * PAGE <= USERS)) {
        let cursor = '';
        if (depth > 1) {
          const row = await sql<{ k: string; id: string }>`
            SELECT ${sql.ref(column)}::text AS k, id::text AS id FROM users WHERE tenant_id = ${tenant.id}::uuid AND deleted_at IS NULL
            ORDER BY ${sql.ref(column)}, id OFFSET ${(depth - 1) * PAGE - 1} LIMIT 1`.execute(owner.db);
          const r = row.rows[0];
          if (!r) throw new Error('tenant too small for this depth');
          const key = sort === 'email' ? r.k : new Date(r.k).toISOString();
          cursor = `&cursor=${encodeCursor([key, r.id])}`;
        }
        const url = `${server.url}/t/big/v1/users?limit=${PAGE}&sort=${sort}${cursor}`;
        const times: number[] = [];
        for (let i = 0; i < SAMPLES + 20; i++) {
          const t0 = performance.now();
          const res = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } });
          const body = (await res.json()) as { items: unknown[] };
          if (res.status !== 200 || body.items.length !== PAGE)
            throw new Error(`page ${depth}: ${res.status}`);
          if (i >= 20) times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        lines.push(
          `| ${sort} | ${depth.toLocaleString('en')} | ${quantile(times, 0.5).toFixed(2)} | ${quantile(times, 0.99).toFixed(2)} |`,
        );
      }
    }
    await owner.close();
    process.stdout.write(
      `${lines.join('\n')}\n\n${SAMPLES} sequential requests per row over HTTP, after 20 warm-up requests; one worker.\n`,
    );
  } finally {
    await server.stop();
  }
}

await main();
