// Authorization over HTTP: POST /t/{tenant}/v1/authz/check (single and batch of 100) against
// Gatehouse on PostgreSQL with WORKERS=2, subjects holding roles directly and through groups, with
// a Deny policy attached to a group. Run: npm run bench:authz   (BENCH_SECONDS sets each run's length)
import { createDatabase, uuidv7 } from '../src/db/index.ts';
import { assignRole } from '../src/roles/index.ts';
import { createPasswordHasher, insertUser } from '../src/users/index.ts';
import { load, table } from './support/load.ts';
import { startServer } from './support/server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const USERS = 500;
const json = { 'content-type': 'application/json' };
const PERMISSIONS = ['user:read', 'user:list', 'group:read', 'policy:read', 'role:read'];

async function main(): Promise<void> {
  const server = await startServer({ workers: 2 });
  try {
    const post = server.post;
    const tenant = await server.createTenant('authz');

    const owner = createDatabase({
      url: server.ownerUrl,
      dataDir: '/tmp',
      poolMax: 2,
      statementTimeoutMs: 60_000,
    });
    const hash = await createPasswordHasher({ memoryCost: 19_456, timeCost: 2, parallelism: 1 }).hash(
      'authz admin passphrase',
    );
    const users: string[] = [];
    await owner.withTenant(tenant, async (trx) => {
      const now = new Date().toISOString();
      for (let i = 0; i < USERS; i++) {
        const id = uuidv7();
        users.push(id);
        const email = i === 0 ? 'admin@authz.test' : `u${i}@authz.test`;
        await insertUser(trx, tenant, {
          id,
          email,
          emailNormalized: email,
          emailVerified: true,
          passwordHash: i === 0 ? hash : null,
          name: null,
          now,
        });
        await assignRole(trx, tenant, id, i === 0 ? 'admin' : i % 3 === 0 ? 'auditor' : 'user', now);
      }
    });
    await owner.close();
    const admin = (
      await post('/t/authz/v1/auth/login', { email: 'admin@authz.test', password: 'authz admin passphrase' })
    ).access_token as string;
    // A group holding the auditor role, with a Deny on policy reads attached to it.
    const group = (await post('/t/authz/v1/groups', { name: 'contractors' }, admin)).id as string;
    await post(`/t/authz/v1/groups/${group}/members`, { add: users.filter((_, i) => i % 5 === 0) }, admin);
    const policy = (
      await post(
        '/t/authz/v1/policies',
        {
          name: 'no-policy-reads',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'policy:read', Resource: '*' }],
          },
        },
        admin,
      )
    ).id as string;
    await fetch(`${server.url}/t/authz/v1/policies/${policy}/attachments/group/${group}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}` },
    });

    let n = 0;
    const question = () => {
      const i = n++;
      return {
        subject: users[i % USERS],
        action: PERMISSIONS[i % PERMISSIONS.length],
        resource: `user/${users[(i * 7) % USERS]}`,
        context: { request: { ip: '10.1.2.3' } },
      };
    };
    const auth = { ...json, authorization: `Bearer ${admin}` };
    const single = await load({
      name: 'authz/check',
      url: `${server.url}/t/authz/v1/authz/check`,
      method: 'POST',
      headers: auth,
      seconds: SECONDS,
      next: () => ({ body: JSON.stringify(question()) }),
    });
    const batch = await load({
      name: 'authz/check/batch (100 checks)',
      url: `${server.url}/t/authz/v1/authz/check/batch`,
      method: 'POST',
      headers: auth,
      seconds: SECONDS,
      connections: 20,
      next: () => ({ body: JSON.stringify({ checks: Array.from({ length: 100 }, question) }) }),
    });
    process.stdout.write(
      `node ${process.version}, WORKERS=2, PostgreSQL, ${USERS} subjects, ${SECONDS}s per run\n\n${table([single, batch])}\n\nbatch: ${(batch.rps * 100).toLocaleString('en')} decisions/s over HTTP\nserver RSS (primary + workers): ${server.rssMb()} MB\n`,
    );
  } finally {
    await server.stop();
  }
}

await main();
