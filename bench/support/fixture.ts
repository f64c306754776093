// What the HTTP benchmarks share: a seeded tenant on a running server, sessions of its users (access
// tokens are minted from them by refresh rotation, so only the first sign-ins pay for argon2id), a
// sample of its users as authorization subjects, and the run's length and concurrency.
import pg from 'pg';
import {
  SEED_PASSWORD,
  type SeededTenant,
  seededEmail,
  seedPasswordHash,
  seedTenant,
} from '../../scripts/seed-scale.ts';
import { type Baseline, measureBaseline, serviceDefaults } from './baseline.ts';
import { type LoadOptions, type LoadResult, load } from './load.ts';
import { type Section, sectionMarkdown } from './report.ts';
import { type BenchServer, startServer } from './server.ts';

export interface RunSettings {
  /** Seconds per scenario. */
  seconds: number;
  /** Concurrent connections of the cheap scenarios; argon2id-bound ones use fewer (argonConnections). */
  connections: number;
  /** Users of the tenant `bench` (BENCH_USERS). */
  users: number;
}

export function runSettings(): RunSettings {
  return {
    seconds: Number(process.env.BENCH_DURATION ?? 10),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    users: Number(process.env.BENCH_USERS ?? 10_000),
  };
}

/** Requests that hash a password queue for the thread pool: more connections only add waiting. */
export const argonConnections = (s: RunSettings) => Math.min(s.connections, 16);

/** The everyday tenant: BENCH_USERS users in 100 groups, 20 policies. */
export const benchContent = (s: RunSettings) => ({ users: s.users, groups: 100, policies: 20 });

export async function withOwner<T>(server: BenchServer, fn: (owner: pg.Client) => Promise<T>): Promise<T> {
  const owner = new pg.Client({ connectionString: server.ownerUrl });
  await owner.connect();
  try {
    return await fn(owner);
  } finally {
    await owner.end();
  }
}

export interface Sessions {
  /** Current refresh tokens, one per session; the refresh scenario rotates them in place. */
  refreshTokens: string[];
  /** `count` new access tokens, minted by rotating the sessions' refresh tokens. */
  accessTokens(count: number): Promise<string[]>;
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** Signs `emails` in (a few at a time, as argon2id allows) and keeps their sessions. */
export async function signIn(
  server: BenchServer,
  slug: string,
  emails: string[],
  password: string,
): Promise<Sessions> {
  const refreshTokens: string[] = [];
  const queue = [...emails];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let email = queue.shift(); email; email = queue.shift()) {
        const res = await server.call<{ refresh_token?: string }>('POST', `/t/${slug}/v1/auth/login`, {
          email,
          password,
        });
        if (res.status !== 200 || !res.body.refresh_token)
          throw new Error(`sign-in of ${email}: ${res.status} ${JSON.stringify(res.body)}`);
        refreshTokens.push(res.body.refresh_token);
      }
    }),
  );
  return {
    refreshTokens,
    async accessTokens(count) {
      const minted: string[] = [];
      await Promise.all(
        Array.from({ length: Math.min(16, refreshTokens.length) }, async () => {
          while (minted.length < count) {
            const token = refreshTokens.shift();
            if (!token) throw new Error('no session left to refresh');
            const res = await fetch(`${server.url}/t/${slug}/oauth/token`, {
              method: 'POST',
              headers: form,
              body: `grant_type=refresh_token&refresh_token=${token}`,
            });
            const body = (await res.json()) as { access_token: string; refresh_token: string };
            if (res.status !== 200) throw new Error(`refresh: ${res.status} ${JSON.stringify(body)}`);
            refreshTokens.push(body.refresh_token);
            minted.push(body.access_token);
          }
        }),
      );
      return minted.slice(0, count);
    },
  };
}

export interface TenantUnderTest extends SeededTenant {
  password: string;
  /** Sessions of ordinary users (users 1…n). */
  sessions: Sessions;
  /** A session of the tenant's administrator, for the routes that need `user:list` or `authz:check`. */
  admin: Sessions;
  /** Ids of users picked at random, as authorization subjects. */
  subjects: string[];
  email(n: number): string;
}

/** Signs in enough users for the scenarios (one session per connection, plus spares) and samples subjects. */
export async function prepareTenant(
  server: BenchServer,
  seeded: SeededTenant,
  settings: RunSettings,
): Promise<TenantUnderTest> {
  const email = (n: number) => seededEmail(seeded.slug, n);
  const count = Math.min(seeded.users, settings.connections + 50);
  const sessions = await signIn(
    server,
    seeded.slug,
    Array.from({ length: count }, (_, i) => email(i + 1)),
    SEED_PASSWORD,
  );
  const admin = await signIn(server, seeded.slug, [seeded.adminEmail], SEED_PASSWORD);
  const subjects = await withOwner(server, async (owner) =>
    (
      await owner.query<{ id: string }>(
        `SELECT id::text FROM users WHERE tenant_id = $1 AND email_normalized LIKE 'user%' ORDER BY random() LIMIT 1000`,
        [seeded.id],
      )
    ).rows.map((r) => r.id),
  );
  return { ...seeded, password: SEED_PASSWORD, sessions, admin, subjects, email };
}

export interface BenchContext {
  server: BenchServer;
  tenant: TenantUnderTest;
  settings: RunSettings;
  baseline?: Baseline;
}

/**
 * Starts a server on PostgreSQL (WORKERS=2, Redis, RabbitMQ, SMTP) with `seed` applied before start,
 * and the tenant `bench` seeded at the configured size.
 */
export async function startBenchServer(
  settings: RunSettings,
  seed?: (owner: pg.ClientBase, passwordHash: string) => Promise<void>,
): Promise<{ server: BenchServer; bench: SeededTenant }> {
  const passwordHash = await seedPasswordHash(serviceDefaults);
  let bench: SeededTenant | undefined;
  const server = await startServer({
    variant: 'postgres',
    workers: 2,
    seed: async (owner) => {
      bench = await seedTenant(owner, 'bench', benchContent(settings), passwordHash);
      await seed?.(owner, passwordHash);
    },
  });
  return { server, bench: bench as SeededTenant };
}

/** `npm run bench:<name>`: one benchmark on its own server, its section printed as Markdown. */
export async function standalone(
  run: (ctx: BenchContext) => Promise<Section>,
  options: { baseline?: boolean } = {},
): Promise<void> {
  const settings = runSettings();
  const baseline = options.baseline ? await measureBaseline() : undefined;
  const { server, bench } = await startBenchServer(settings);
  try {
    const tenant = await prepareTenant(server, bench, settings);
    const result = await run({ server, tenant, settings, ...(baseline ? { baseline } : {}) });
    process.stdout.write(`${sectionMarkdown(result)}\n`);
  } finally {
    await server.stop();
  }
}

/** A load run against a route of the tenant under test, at the run's length and concurrency. */
export function tenantLoad(
  ctx: BenchContext,
  name: string,
  path: string,
  options: Partial<Omit<LoadOptions, 'name' | 'url'>> = {},
): Promise<LoadResult> {
  return load({
    name,
    url: `${ctx.server.url}/t/${ctx.tenant.slug}${path}`,
    seconds: ctx.settings.seconds,
    connections: ctx.settings.connections,
    rss: ctx.server.processes,
    ...options,
  });
}
