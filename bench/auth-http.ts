// Authentication over HTTP against Gatehouse on PostgreSQL with WORKERS=2: login, MFA verification,
// refresh, client credentials, introspection, GET /me, registration and a mixed load, beside the
// machine's raw argon2id and EdDSA rates. Run: npm run bench:auth  (knobs in docs/benchmarks.md)
import { createHash, randomBytes } from 'node:crypto';
import { SEED_PASSWORD, seedUsers } from '../scripts/seed-scale.ts';
import { uuidv7 } from '../src/db/index.ts';
import { secretAad } from '../src/mfa/code-check.ts';
import { MFA_TOKEN_TTL_SECONDS } from '../src/mfa/index.ts';
import { newTotpSecret, timeStep, totpCode } from '../src/mfa/totp.ts';
import { createKeyEncryption } from '../src/tokens/index.ts';
import { argonConnections, type BenchContext, standalone, tenantLoad, withOwner } from './support/fixture.ts';
import type { LoadResult } from './support/load.ts';
import { type Section, section } from './support/report.ts';

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const REUSED_TOKENS = 1000;
const FRESH_TOKENS = 10_000;

/** Logins of the tenant's users in turn, each a full argon2id verification. */
function login(ctx: BenchContext, name = 'login'): Promise<LoadResult> {
  let n = 0;
  const { tenant } = ctx;
  return tenantLoad(ctx, name, '/v1/auth/login', {
    method: 'POST',
    headers: json,
    connections: argonConnections(ctx.settings),
    next: () => ({
      body: JSON.stringify({ email: tenant.email(1 + (n++ % tenant.users)), password: tenant.password }),
    }),
  });
}

/** Bearer requests cycling over `tokens`; each token's signature is checked once, then cached. */
function me(ctx: BenchContext, tokens: string[], name: string, connections?: number): Promise<LoadResult> {
  let n = 0;
  return tenantLoad(ctx, name, '/v1/me', {
    ...(connections ? { connections } : {}),
    next: () => ({ headers: { authorization: `Bearer ${tokens[n++ % tokens.length]}` } }),
  });
}

/**
 * Tokens to be reused: each sent twice before the measured runs, so that with two workers most are
 * verified and cached on both, and "reused" measures the cache, not first uses.
 */
async function reusableTokens(ctx: BenchContext): Promise<string[]> {
  const tokens = await ctx.tenant.sessions.accessTokens(REUSED_TOKENS);
  let n = 0;
  await tenantLoad(ctx, 'warm-up', '/v1/me', {
    amount: tokens.length * 2,
    next: () => ({ headers: { authorization: `Bearer ${tokens[n++ % tokens.length]}` } }),
  });
  return tokens;
}

/**
 * `count` users with an active TOTP factor (one shared secret, sealed per credential as enrolment
 * seals it) and one pending sign-in challenge each, as a correct password would have left them:
 * every verification then spends a fresh challenge and a fresh credential's time step.
 */
async function mfaChallenges(
  ctx: BenchContext,
  count: number,
): Promise<{ tokens: string[]; secret: Buffer }> {
  const { tenant, server } = ctx;
  const secret = newTotpSecret();
  const sealer = createKeyEncryption(Buffer.from(server.env.KEY_ENCRYPTION_SECRET as string, 'base64'));
  const tokens = Array.from({ length: count }, () => randomBytes(32).toString('base64url'));
  await withOwner(server, async (owner) => {
    const hash = await owner.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE tenant_id = $1 AND email_normalized = $2',
      [tenant.id, tenant.adminEmail],
    );
    const passwordHash = hash.rows[0]?.password_hash as string;
    await seedUsers(owner, tenant, { from: 1, count, groups: 0, passwordHash, prefix: 'mfa' });
    const ids = Array.from({ length: count }, () => uuidv7());
    const now = new Date();
    await owner.query(
      `INSERT INTO mfa_credentials (tenant_id, id, user_id, kind, status, secret_sealed, created_at, confirmed_at)
       SELECT $1, c.id, u.id, 'totp', 'active', c.sealed, $5, $5
       FROM unnest($2::uuid[], $3::int[], $4::text[]) AS c (id, n, sealed)
       JOIN users u ON u.tenant_id = $1 AND u.email_normalized = 'mfa' || c.n || '@' || $6 || '.test'`,
      [
        tenant.id,
        ids,
        ids.map((_, i) => i + 1),
        ids.map((id) => sealer.encrypt(secret, secretAad(tenant.id, id))),
        now.toISOString(),
        tenant.slug,
      ],
    );
    await owner.query(
      `INSERT INTO mfa_challenges (tenant_id, token_hash, user_id, amr, ip, user_agent, created_at, expires_at)
       SELECT $1, c.hash, u.id, '["pwd"]', '127.0.0.1', 'benchmark', $4, $5
       FROM unnest($2::text[], $3::int[]) AS c (hash, n)
       JOIN users u ON u.tenant_id = $1 AND u.email_normalized = 'mfa' || c.n || '@' || $6 || '.test'`,
      [
        tenant.id,
        tokens.map((t) => createHash('sha256').update(t).digest('hex')),
        tokens.map((_, i) => i + 1),
        now.toISOString(),
        new Date(now.getTime() + MFA_TOKEN_TTL_SECONDS * 1000).toISOString(),
        tenant.slug,
      ],
    );
  });
  return { tokens, secret };
}

/** More challenges than a run is likely to spend; it ends at BENCH_DURATION or when they run out. */
const mfaPool = (seconds: number) => Math.max(500, seconds * 1000);

async function mfaVerify(ctx: BenchContext): Promise<LoadResult> {
  const count = mfaPool(ctx.settings.seconds);
  const { tokens, secret } = await mfaChallenges(ctx, count);
  let n = 0;
  return tenantLoad(ctx, 'MFA verify (TOTP, a new challenge each)', '/v1/auth/mfa/verify', {
    method: 'POST',
    headers: json,
    amount: count,
    next: () => ({
      body: JSON.stringify({ mfa_token: tokens[n++], code: totpCode(secret, timeStep(Date.now())) }),
    }),
  });
}

/** Every refresh spends its token: take one from the sessions, put the rotated one back. */
function refresh(ctx: BenchContext): Promise<LoadResult> {
  const pool = ctx.tenant.sessions.refreshTokens;
  return tenantLoad(ctx, 'refresh (rotation)', '/oauth/token', {
    method: 'POST',
    headers: form,
    next: () => ({ body: `grant_type=refresh_token&refresh_token=${pool.shift()}` }),
    onBody: (status, body) => {
      if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
    },
  });
}

/** Registrations of new addresses: a hash, the user, its verification link and two events each. */
function registration(ctx: BenchContext): Promise<LoadResult> {
  const run = randomBytes(4).toString('hex');
  let n = 0;
  return tenantLoad(ctx, 'registration', '/v1/auth/register', {
    method: 'POST',
    headers: json,
    connections: argonConnections(ctx.settings),
    next: () => ({
      body: JSON.stringify({ email: `new-${run}-${n++}@${ctx.tenant.slug}.test`, password: SEED_PASSWORD }),
    }),
  });
}

export async function authBench(ctx: BenchContext): Promise<Section> {
  const { server, tenant, settings } = ctx;
  const out = section('auth', 'Authentication');
  const base = `/t/${tenant.slug}`;
  const adminToken = (await tenant.admin.accessTokens(1))[0] as string;
  const client = await server.call<{ client_id: string; client_secret: string }>(
    'POST',
    `${base}/v1/clients`,
    { name: 'bench', permissions: ['token:introspect', 'user:read'] },
    adminToken,
  );
  const basic = `Basic ${Buffer.from(`${client.body.client_id}:${client.body.client_secret}`).toString('base64')}`;
  const reused = await reusableTokens(ctx);

  const signIns = await login(ctx);
  out.scenarios.push(signIns, await mfaVerify(ctx));
  const refreshes = await refresh(ctx);
  out.scenarios.push(refreshes);
  out.scenarios.push(
    await tenantLoad(ctx, 'client credentials', '/oauth/token', {
      method: 'POST',
      headers: { ...form, authorization: basic },
      next: () => ({ body: 'grant_type=client_credentials' }),
    }),
  );
  let i = 0;
  out.scenarios.push(
    await tenantLoad(
      ctx,
      `introspection, ${REUSED_TOKENS.toLocaleString('en')} tokens reused`,
      '/oauth/introspect',
      {
        method: 'POST',
        headers: { ...form, authorization: basic },
        next: () => ({ body: `token=${reused[i++ % reused.length]}` }),
      },
    ),
  );
  out.scenarios.push(await me(ctx, reused, `GET /me, ${REUSED_TOKENS.toLocaleString('en')} tokens reused`));
  // Tokens never seen before, each used once: every request pays for an Ed25519 verification.
  const fresh = await tenant.sessions.accessTokens(FRESH_TOKENS);
  let f = 0;
  const firstUses = await tenantLoad(ctx, 'GET /me, every token new', '/v1/me', {
    amount: fresh.length,
    next: () => ({ headers: { authorization: `Bearer ${fresh[f++]}` } }),
  });
  out.scenarios.push(firstUses);
  // Logins at full load while /me runs: hashing must not stall the event loop.
  const [mixedLogin, mixedMe] = await Promise.all([
    login(ctx, 'mixed: login'),
    me(ctx, reused, 'mixed: GET /me during logins', Math.max(1, Math.round(settings.connections / 5))),
  ]);
  out.scenarios.push(mixedLogin as LoadResult, mixedMe as LoadResult);
  out.scenarios.push(await registration(ctx));

  out.notes.push(
    `login and registration use ${argonConnections(settings)} connections (argon2id-bound); the others ${settings.connections}`,
    `MFA verify and GET /me with new tokens end at ${settings.seconds} s or when their seeded challenges (${mfaPool(settings.seconds).toLocaleString('en')}) or minted tokens (${FRESH_TOKENS.toLocaleString('en')}) run out`,
  );
  if (ctx.baseline) {
    const { argon2, jwt, cores } = ctx.baseline;
    const pct = (value: number, of: number) => {
      const share = (value / of) * 100;
      return `${share < 10 ? share.toFixed(1) : Math.round(share)}%`;
    };
    out.notes.push(
      `login reached ${pct(signIns.rps, argon2.hashesPerSecond)} of the raw argon2id rate (${argon2.hashesPerSecond}/s)`,
      `GET /me with new tokens reached ${pct(firstUses.rps, jwt.verifyPerSecond * cores)} of raw EdDSA verification on ${cores} cores (${(jwt.verifyPerSecond * cores).toLocaleString('en')}/s)`,
      `refresh reached ${pct(refreshes.rps, jwt.signPerSecond * cores)} of raw EdDSA signing on ${cores} cores (${(jwt.signPerSecond * cores).toLocaleString('en')}/s)`,
    );
  }
  return out;
}

/** The scenarios rerun on the big tenant: a sign-in among a million users, and GET /me. */
export async function authScale(ctx: BenchContext): Promise<LoadResult[]> {
  const tokens = await reusableTokens(ctx);
  return [
    await login(ctx),
    await me(ctx, tokens, `GET /me, ${REUSED_TOKENS.toLocaleString('en')} tokens reused`),
  ];
}

if (import.meta.main) await standalone(authBench, { baseline: true });
