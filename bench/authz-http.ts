// Authorization over HTTP: POST /t/{tenant}/v1/authz/check against a running service on an embedded
// SQLite database, with roles held directly and through groups and policies attached to groups.
// Run: npx node bench/authz-http.ts   (CONNECTIONS, REQUESTS and USERS override the defaults)
// CONNECTIONS is the number of concurrent clients. They run in the service's own process, so the
// figures include the client's cost and understate what a separate client would see; every request
// also pays for verifying its bearer token, as real traffic does.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { uuidv7 } from '../src/db/index.ts';
import { assignRole } from '../src/roles/index.ts';
import { openDatabase, prepare } from '../src/startup.ts';
import { loadKeyEncryptionKey } from '../src/tokens/index.ts';
import { createPasswordHasher, insertUser, normalizeEmail } from '../src/users/index.ts';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const USERS = Number(process.env.USERS ?? 200);
const PASSWORD = 'benchmark passphrase';
const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const { config } = loadConfig({
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
  GATEHOUSE_ADMIN_EMAIL: 'operator@bench.test',
  GATEHOUSE_ADMIN_PASSWORD: PASSWORD,
  ARGON2_MEMORY_KIB: '8192',
  ARGON2_ITERATIONS: '1',
});
const logger = pino({ level: 'silent' });
await prepare(config, logger);
const database = openDatabase(config);
const app = await buildApp(config, {
  database,
  keyEncryptionKey: loadKeyEncryptionKey(config.KEY_ENCRYPTION_SECRET, config.DATA_DIR),
  logger,
});
const origin = await app.listen({ host: '127.0.0.1', port: 0 });

async function call(method: 'GET' | 'POST' | 'PUT', path: string, token: string, body?: unknown) {
  // fetch keeps connections alive, so each concurrent worker below reuses one.
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function login(tenant: string, email: string): Promise<string> {
  const res = await fetch(`${origin}/t/${tenant}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

// The world: one tenant, USERS users in 10 groups; each group holds one of 10 roles and carries a
// Deny guardrail with conditions; every user also holds the self-service role directly.
const operator = await login('platform', 'operator@bench.test');
const tenant = await call('POST', '/v1/tenants', operator, { slug: 'bench', display_name: 'Bench' });
const hasher = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
const hash = await hasher.hash(PASSWORD);
const users: string[] = [];
await database.withTenant(tenant.id, async (trx) => {
  const now = new Date().toISOString();
  for (let i = 0; i <= USERS; i++) {
    const id = uuidv7();
    const email = `user${i}@bench.test`;
    await insertUser(trx, tenant.id, {
      id,
      email,
      emailNormalized: normalizeEmail(email),
      emailVerified: true,
      passwordHash: hash,
      name: null,
      now,
    });
    await assignRole(trx, tenant.id, id, i === 0 ? 'admin' : 'user', now);
    if (i > 0) users.push(id);
  }
});
const admin = await login('bench', 'user0@bench.test');
const resources = ['invoice', 'report', 'project', 'user', 'group'];
for (let g = 0; g < 10; g++) {
  const group = uuidv7();
  await database.withTenant(tenant.id, async (trx) => {
    const now = new Date().toISOString();
    await trx
      .insertInto('groups')
      .values({
        tenant_id: tenant.id,
        id: group,
        name: `group-${g}`,
        name_normalized: `group-${g}`,
        description: '',
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const [i, user] of users.entries()) {
      if (i % 10 === g)
        await trx
          .insertInto('group_members')
          .values({ tenant_id: tenant.id, group_id: group, user_id: user, created_at: now })
          .execute();
    }
  });
  // Roles grant the service's own permissions; the application's actions come from policies.
  const role = await call('POST', '/t/bench/v1/roles', admin, {
    name: `role-${g}`,
    permissions: ['user:read', 'group:read', g % 2 === 0 ? 'user:update' : 'group:*'],
  });
  await call('PUT', `/t/bench/v1/groups/${group}/roles/${role.id}`, admin);
  const guard = await call('POST', '/t/bench/v1/policies', admin, {
    name: `guard-${g}`,
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: `${resources[g % 5]}:*`, Resource: `${resources[g % 5]}/*` },
        {
          Effect: 'Deny',
          Action: '*:delete',
          Resource: '*',
          Condition: { BoolIfExists: { 'subject.mfa': 'false' } },
        },
        {
          Effect: 'Deny',
          Action: '*:read',
          Resource: '*',
          Condition: { NotIpAddress: { 'request.ip': '10.0.0.0/8' } },
        },
      ],
    },
  });
  await call('PUT', `/t/bench/v1/policies/${guard.id}/attachments/group/${group}`, admin);
}

const checks = Array.from({ length: REQUESTS }, (_, i) => ({
  subject: users[i % users.length],
  action: `${resources[i % 5]}:${['read', 'update', 'delete'][i % 3]}`,
  resource: `${resources[i % 5]}/${i % 97}`,
  context: { subject: { mfa: i % 2 === 0 }, request: { ip: i % 4 === 0 ? '192.0.2.1' : '10.1.2.3' } },
}));

async function run(label: string): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  let allowed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < checks.length) {
        const check = checks[next++];
        const t0 = process.hrtime.bigint();
        const decision = await call('POST', '/t/bench/v1/authz/check', admin, check);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (decision.decision === 'allow') allowed++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
  out(
    `${label.padEnd(10)} ${Math.round(checks.length / seconds).toLocaleString('en-US')} checks/s  ` +
      `p50 ${at(50)?.toFixed(2)} ms  p99 ${at(99)?.toFixed(2)} ms  allowed ${allowed}/${checks.length}`,
  );
}

out(`authz over HTTP: ${USERS} users, 10 groups, ${CONNECTIONS} connections, ${REQUESTS} checks per run`);
await run('cold');
for (let i = 1; i <= 3; i++) await run(`warm ${i}`);
await app.close();
await database.close();
rmSync(dataDir, { recursive: true, force: true });
