// Authentication benchmark: login, refresh, client credentials, introspection and a JWT-protected
// GET /me against Gatehouse on PostgreSQL with WORKERS=2, beside the machine's raw argon2id and
// Ed25519 rates. Run: npm run bench:auth  (needs PostgreSQL; BENCH_SECONDS sets each run's length)
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash } from '@node-rs/argon2';
import { createDatabase, uuidv7 } from '../src/db/index.ts';
import { assignRole } from '../src/roles/index.ts';
import { createPasswordHasher, insertUser } from '../src/users/index.ts';
import { type LoadResult, load, table } from './support/load.ts';
import { startServer } from './support/server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PASSWORD = 'benchmark passphrase 2026';
const USERS = 200;
const TOKENS = 1000;

async function rawArgon2PerSecond(): Promise<number> {
  // The same parameters as the server, as many in flight as libuv has threads (4 by default).
  const until = performance.now() + 3000;
  let done = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        await hash(PASSWORD, { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
        done++;
      }
    }),
  );
  return Math.round(done / 3);
}

function rawEd25519(): { signPerSec: number; verifyPerSec: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const data = Buffer.alloc(300, 7);
  const sig = sign(null, data, privateKey);
  const time = (fn: () => void) => {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 1000) {
      fn();
      n++;
    }
    return n;
  };
  return {
    signPerSec: time(() => sign(null, data, privateKey)),
    verifyPerSec: time(() => verify(null, data, publicKey, sig)),
  };
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function main(): Promise<void> {
  const argon = await rawArgon2PerSecond();
  const ed = rawEd25519();
  const server = await startServer({ workers: 2 });
  const results: LoadResult[] = [];
  try {
    const tenant = { id: await server.createTenant('bench') };

    // Seed users directly (one argon2id hash shared by all: same password) with the owner connection.
    const owner = createDatabase({
      url: server.ownerUrl,
      dataDir: '/tmp',
      poolMax: 2,
      statementTimeoutMs: 10_000,
    });
    const passwordHash = await createPasswordHasher({ memoryCost: 19_456, timeCost: 2, parallelism: 1 }).hash(
      PASSWORD,
    );
    const emails: string[] = [];
    await owner.withTenant(tenant.id, async (trx) => {
      const now = new Date().toISOString();
      for (let i = 0; i < USERS; i++) {
        const id = uuidv7();
        const email = `user${i}@bench.test`;
        emails.push(email);
        await insertUser(trx, tenant.id, {
          id,
          email,
          emailNormalized: email,
          emailVerified: true,
          passwordHash,
          name: null,
          now,
        });
        await assignRole(trx, tenant.id, id, i === 0 ? 'admin' : 'user', now);
      }
    });
    await owner.close();
    const base = `${server.url}/t/bench`;
    const loginOnce = (email: string) =>
      server.post<{ access_token: string; refresh_token: string }>('/t/bench/v1/auth/login', {
        email,
        password: PASSWORD,
      });
    const tenantAdmin = await loginOnce(emails[0] as string);
    const client = await server.post<{ client_id: string; client_secret: string }>(
      '/t/bench/v1/clients',
      { name: 'bench', permissions: ['token:introspect', 'user:read'] },
      tenantAdmin.access_token,
    );
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;

    const sessions: { access_token: string; refresh_token: string }[] = [];
    for (let i = 0; i < TOKENS; i++) sessions.push(await loginOnce(emails[i % USERS] as string));
    let n = 0;
    const pick = () => sessions[n++ % sessions.length] as { access_token: string; refresh_token: string };

    results.push(
      await load({
        name: 'login (argon2id 19 MiB, t=2)',
        url: `${base}/v1/auth/login`,
        method: 'POST',
        headers: json,
        seconds: SECONDS,
        connections: 16,
        next: () => ({ body: JSON.stringify({ email: emails[n++ % USERS], password: PASSWORD }) }),
      }),
    );
    results.push(
      await load({
        name: 'GET /me, 1,000 tokens reused',
        url: `${base}/v1/me`,
        seconds: SECONDS,
        next: () => ({ headers: { authorization: `Bearer ${pick().access_token}` } }),
      }),
    );
    results.push(
      await load({
        name: 'introspection, 1,000 tokens reused',
        url: `${base}/oauth/introspect`,
        method: 'POST',
        headers: { ...form, authorization: basic },
        seconds: SECONDS,
        next: () => ({ body: `token=${pick().access_token}` }),
      }),
    );
    results.push(
      await load({
        name: 'client credentials',
        url: `${base}/oauth/token`,
        method: 'POST',
        headers: { ...form, authorization: basic },
        seconds: SECONDS,
        next: () => ({ body: 'grant_type=client_credentials' }),
      }),
    );

    // Every refresh spends its token: take a fresh one from the pool, put the rotated one back.
    const refreshPool = sessions.map((s) => s.refresh_token);
    results.push(
      await load({
        name: 'refresh (rotation)',
        url: `${base}/oauth/token`,
        method: 'POST',
        headers: form,
        seconds: SECONDS,
        next: () => ({ body: `grant_type=refresh_token&refresh_token=${refreshPool.shift()}` }),
        onBody: (status, body) => {
          if (status === 200) refreshPool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
        },
      }),
    );

    // Distinct tokens: every request a token never verified before (bounded by Ed25519 verification).
    const fresh: string[] = [];
    for (let i = 0; i < 3000; i++) fresh.push((await loginOnce(emails[i % USERS] as string)).access_token);
    let f = 0;
    results.push(
      await load({
        name: 'GET /me, every token new',
        url: `${base}/v1/me`,
        seconds: Math.min(SECONDS, 3),
        connections: 20,
        next: () => ({ headers: { authorization: `Bearer ${fresh[f++ % fresh.length]}` } }),
      }),
    );

    // Logins at full load while /me runs: hashing must not stall the event loop.
    const [mixedLogin, mixedMe] = await Promise.all([
      load({
        name: 'mixed: login',
        url: `${base}/v1/auth/login`,
        method: 'POST',
        headers: json,
        seconds: SECONDS,
        connections: 16,
        next: () => ({ body: JSON.stringify({ email: emails[n++ % USERS], password: PASSWORD }) }),
      }),
      load({
        name: 'mixed: GET /me during logins',
        url: `${base}/v1/me`,
        seconds: SECONDS,
        connections: 10,
        next: () => ({ headers: { authorization: `Bearer ${pick().access_token}` } }),
      }),
    ]);
    results.push(mixedLogin, mixedMe);
    const rss = server.rssMb();
    const loginRatio = Math.round(((results[0]?.rps ?? 0) / argon) * 100);
    process.stdout.write(
      [
        `node ${process.version}, ${availableParallelism()} cores, WORKERS=2, PostgreSQL, ${SECONDS}s per run`,
        `raw argon2id (19 MiB, t=2, p=1), 4 threads: ${argon} hashes/s; login reached ${loginRatio}% of it`,
        `raw Ed25519 single core: sign ${ed.signPerSec}/s, verify ${ed.verifyPerSec}/s`,
        '',
        table(results),
        '',
        `server RSS after the runs (primary + workers): ${rss} MB`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.stop();
  }
}

await main();
