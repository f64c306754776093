// Starts Gatehouse as real processes against a fresh PostgreSQL database for benchmarks.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { BROWSER_USER_AGENT } from '../../test/support/browser.ts';

export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchServer {
  url: string;
  /** POSTs JSON (with a bearer token when given) and returns the parsed answer. */
  post<T = Record<string, unknown>>(path: string, body: unknown, token?: string): Promise<T>;
  /** Signs in as the bootstrapped platform operator and creates a tenant; returns its id. */
  createTenant(slug: string): Promise<string>;
  env: Record<string, string>;
  ownerUrl: string;
  rssMb(): number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A fresh database, migrated, and `workers` serving processes on a free port. */
export async function startServer(options: {
  workers: number;
  env?: Record<string, string>;
}): Promise<BenchServer> {
  const name = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const owner = new URL(ADMIN_URL);
  owner.pathname = `/${name}`;
  const app = new URL(owner);
  app.username = 'gatehouse_app';
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64'),
    SMTP_URL: 'smtp://127.0.0.1:2525',
    DATABASE_URL: app.toString(),
    DATABASE_MIGRATION_URL: owner.toString(),
    DATABASE_MIGRATE_ON_START: 'true',
    DATABASE_POOL_MAX: '20',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    WORKERS: String(options.workers),
    LOG_LEVEL: 'warn',
    // The whole load comes from one address: per-IP limits would measure the limiter, not the service.
    RATE_LIMIT_ENABLED: 'false',
    GATEHOUSE_ADMIN_EMAIL: 'bench-admin@example.test',
    GATEHOUSE_ADMIN_PASSWORD: 'bench admin passphrase',
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, ['src/main.ts'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const post = async <T>(path: string, body: unknown, token?: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': BROWSER_USER_AGENT,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  return {
    url,
    post,
    async createTenant(slug) {
      const ops = await post<{ access_token: string }>('/t/platform/v1/auth/login', {
        email: env.GATEHOUSE_ADMIN_EMAIL,
        password: env.GATEHOUSE_ADMIN_PASSWORD,
      });
      return (await post<{ id: string }>('/v1/tenants', { slug, display_name: slug }, ops.access_token)).id;
    },
    env,
    ownerUrl: owner.toString(),
    rssMb: () => processTreeRss(child.pid ?? 0),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Resident memory in MB of a process and its children (the cluster workers). */
function processTreeRss(pid: number): number {
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '--ppid', String(pid), '-p', String(pid)], {
      encoding: 'utf8',
    });
    return Math.round(
      out
        .split('\n')
        .filter(Boolean)
        .reduce((a, l) => a + Number(l.trim()), 0) / 1024,
    );
  } catch {
    return 0;
  }
}
