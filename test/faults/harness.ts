// What every dependency-failure scenario shares: Gatehouse as a real process whose PostgreSQL,
// Redis, RabbitMQ and SMTP connections all go through fault proxies (the real services are shared
// with other runs and are never stopped), a steady load that records every answer, and a ledger
// that compares what was acknowledged with what was committed and what reached the consumers.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { dropServiceTopology } from '../support/amqp-cleanup.ts';
import { BROWSER_USER_AGENT } from '../support/browser.ts';
import { type ScratchDatabase, scratchDatabase } from '../support/databases.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { freePort, type Started, startMain } from '../support/process.ts';
import { type SmtpListener, startSmtp } from '../support/smtp.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const OPERATOR = { email: 'ops@example.test', password: 'a long operator passphrase' };

/** The timeouts the service runs with here; a request may take the longest of them plus a margin. */
const TIMEOUTS = { requestMs: 5000, databaseMs: 2000 };
export const LATENCY_BOUND_MS = TIMEOUTS.requestMs + 5000;
/** The load gives up on a request this late, so a hang is recorded instead of stalling the suite. */
const CLIENT_ABORT_MS = LATENCY_BOUND_MS + 10_000;

// Retries outlast the outages (250 ms doubling to 2 s, 8 attempts: about 10 s), so no event of a
// scenario becomes a dead letter only because a dependency was away for a few seconds.
const QUEUE = { QUEUE_MAX_ATTEMPTS: '8', QUEUE_RETRY_BASE_MS: '250', QUEUE_RETRY_MAX_MS: '2000' };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it holds; undefined when `timeoutMs` ran out, else how long it took. */
export async function within(timeoutMs: number, probe: () => boolean | Promise<boolean>) {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > timeoutMs) return undefined;
    await sleep(50);
  }
  return performance.now() - started;
}

function through(url: string, proxy: FaultProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}

function targetOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const defaults: Record<string, number> = { 'postgres:': 5432, 'redis:': 6379, 'amqp:': 5672 };
  return { host: parsed.hostname, port: Number(parsed.port) || (defaults[parsed.protocol] ?? 0) };
}

export interface Answer {
  status: number;
  ms: number;
  contentType: string;
  code?: string;
  /** Set when no HTTP answer came: the connection failed, or the client gave up. */
  error?: string;
  json?: unknown;
  headers?: Headers;
}

export interface Stack {
  base: string;
  server: Started;
  proxies: { postgres: FaultProxy; redis: FaultProxy; amqp: FaultProxy; smtp: FaultProxy };
  smtp: SmtpListener;
  /** A direct connection to the scratch database as its owner, for the ledger (never proxied). */
  db: pg.Pool;
  platformId: string;
  operatorToken: string;
  /** Deliveries of each event id to the loopback webhook endpoint. */
  webhookDeliveries: Map<string, number>;
  call(method: string, path: string, init?: { token?: string; body?: unknown }): Promise<Answer>;
  signIn(email: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export interface StackOptions {
  workers?: number;
  env?: Record<string, string>;
  /** Dependencies already cut when the service starts; it is then waited for on /healthz only. */
  downAtStart?: ('amqp' | 'redis' | 'smtp')[];
}

async function webhookReceiver(deliveries: Map<string, number>): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const id = String(request.headers['gatehouse-event-id'] ?? '');
    request.resume();
    request.on('end', () => {
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/hook` };
}

async function call(
  base: string,
  method: string,
  path: string,
  init: { token?: string; body?: unknown } = {},
): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        'user-agent': BROWSER_USER_AGENT,
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(CLIENT_ABORT_MS),
    });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const code = (json as { code?: unknown } | undefined)?.code;
    return {
      status: res.status,
      ms: performance.now() - started,
      contentType,
      ...(typeof code === 'string' ? { code } : {}),
      json,
      headers: res.headers,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      status: 0,
      ms: performance.now() - started,
      contentType: '',
      error: cause?.code ?? cause?.message ?? String(error),
    };
  }
}

/** Gatehouse on a scratch PostgreSQL database, every dependency behind its own fault proxy. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const scratch: ScratchDatabase = await scratchDatabase('postgres');
  const appUrl = scratch.env.DATABASE_URL as string;
  const ownerUrl = scratch.env.DATABASE_MIGRATION_URL as string;
  const smtp = await startSmtp();
  const proxies = {
    postgres: await startFaultProxy(targetOf(appUrl)),
    redis: await startFaultProxy(targetOf(REDIS_URL)),
    amqp: await startFaultProxy(targetOf(AMQP_URL)),
    smtp: await startFaultProxy({ host: '127.0.0.1', port: smtp.port }),
  };
  const prefix = `gatehouse-faults-${randomBytes(4).toString('hex')}`;
  const webhookDeliveries = new Map<string, number>();
  const receiver = await webhookReceiver(webhookDeliveries);
  const workers = options.workers ?? 1;
  const downAtStart = options.downAtStart ?? [];
  for (const name of downAtStart) proxies[name].cut();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startMain({
    ...scratch.env,
    // With several workers, their "Server listening" lines (info) tell when every one serves.
    LOG_LEVEL: workers > 1 ? 'info' : 'warn',
    PORT: String(port),
    PUBLIC_URL: base,
    WORKERS: String(workers),
    // Migrations and the first bootstrap go straight to the database; the service goes through the proxy.
    DATABASE_URL: through(appUrl, proxies.postgres),
    DATABASE_MIGRATE_ON_START: 'true',
    DATABASE_STATEMENT_TIMEOUT_MS: String(TIMEOUTS.databaseMs),
    REQUEST_TIMEOUT_MS: String(TIMEOUTS.requestMs),
    REDIS_URL: through(REDIS_URL, proxies.redis),
    AMQP_URL: through(AMQP_URL, proxies.amqp),
    AMQP_PREFIX: prefix,
    SMTP_URL: `smtp://127.0.0.1:${proxies.smtp.port}`,
    OUTBOX_POLL_MS: '100',
    INVALIDATION_POLL_MS: '1000',
    WEBHOOK_ALLOW_INSECURE: 'true',
    GATEHOUSE_ADMIN_EMAIL: OPERATOR.email,
    GATEHOUSE_ADMIN_PASSWORD: OPERATOR.password,
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_ITERATIONS: '1',
    // The load comes from one address; the limits themselves stay on, counted in Redis.
    RATE_LIMIT_GLOBAL_PER_MINUTE: '10000000',
    JOBS_ENABLED: 'false',
    ...QUEUE,
    ...options.env,
  });
  const db = new pg.Pool({ connectionString: ownerUrl, max: 4 });
  const stack: Stack = {
    base,
    server,
    proxies,
    smtp,
    db,
    platformId: '',
    operatorToken: '',
    webhookDeliveries,
    call: (method, path, init) => call(base, method, path, init),
    async signIn(email, password) {
      const res = await call(base, 'POST', '/t/platform/v1/auth/login', { body: { email, password } });
      if (res.status !== 200)
        throw new Error(`sign-in of ${email}: ${res.status} ${JSON.stringify(res.json)}`);
      return (res.json as { access_token: string }).access_token;
    },
    async close() {
      server.child.kill('SIGTERM');
      const killer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
      await server.exited;
      clearTimeout(killer);
      await Promise.all(Object.values(proxies).map((p) => p.close()));
      await smtp.close();
      await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
      receiver.server.closeAllConnections();
      await db.end();
      await dropServiceTopology(AMQP_URL, prefix, {
        maxAttempts: Number(options.env?.QUEUE_MAX_ATTEMPTS ?? QUEUE.QUEUE_MAX_ATTEMPTS),
        baseMs: Number(options.env?.QUEUE_RETRY_BASE_MS ?? QUEUE.QUEUE_RETRY_BASE_MS),
        maxMs: Number(options.env?.QUEUE_RETRY_MAX_MS ?? QUEUE.QUEUE_RETRY_MAX_MS),
      });
      await scratch.drop();
    },
  };
  try {
    // Ready (only alive, when a dependency is down on purpose), and with several workers, every
    // one listening: were one still starting, killing the other would close the port meanwhile.
    const probe = downAtStart.length > 0 ? '/healthz' : '/readyz';
    const up = await within(
      60_000,
      async () =>
        !alive(stack) ||
        ((await stack.call('GET', probe)).status === 200 &&
          (workers === 1 || server.output().split('Server listening at').length > workers)),
    );
    if (up === undefined || !alive(stack))
      throw new Error(`Gatehouse never became ready:\n${server.output().slice(-3000)}`);
    stack.operatorToken = await stack.signIn(OPERATOR.email, OPERATOR.password);
    const platform = await db.query<{ id: string }>("SELECT id FROM tenants WHERE slug = 'platform'");
    stack.platformId = platform.rows[0]!.id;
    const hook = await stack.call('POST', '/t/platform/v1/webhooks', {
      token: stack.operatorToken,
      body: { url: receiver.url, event_types: ['user.created'] },
    });
    if (hook.status !== 201)
      throw new Error(`webhook registration: ${hook.status} ${JSON.stringify(hook.json)}`);
    // The event pipeline starts in the background: a fault must meet it running, so one user goes
    // all the way through (its webhook and its email) before any scenario begins.
    if (downAtStart.length === 0) {
      const probeUser = await stack.call('POST', '/t/platform/v1/users', {
        token: stack.operatorToken,
        body: { email: `pipeline-probe-${prefix}@example.test` },
      });
      const id = (probeUser.json as { id: string }).id;
      const { rows } = await db.query<{ id: string }>(
        "SELECT id FROM outbox WHERE type IN ('user.created', 'user.invited') AND payload->>'user_id' = $1",
        [id],
      );
      const through = await within(60_000, () => rows.every((e) => deliveredIds(stack).has(e.id)));
      if (through === undefined || rows.length !== 2)
        throw new Error(`the event pipeline delivered nothing:\n${server.output().slice(-3000)}`);
    }
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}

// ---------------------------------------------------------------------------------------------
// Steady load

export interface Outcome extends Answer {
  kind: 'write' | 'read';
  /** The address of the user a write creates. */
  email?: string;
  /** Milliseconds since the load started, when the request was sent. */
  at: number;
}

export interface Load {
  outcomes: Outcome[];
  /** Milliseconds since the load started. */
  now(): number;
  stop(): Promise<Outcome[]>;
}

/**
 * `concurrency` lanes, each sending one request after the other with a short pause: every second
 * request creates a user (its events: `user.created`, to the webhook, and `user.invited`, an email),
 * the others read `GET /me`. Each user's address is unique to the run, so the ledger can find it.
 */
export function startLoad(stack: Stack, label: string, concurrency = 4): Load {
  const outcomes: Outcome[] = [];
  const t0 = performance.now();
  let stopping = false;
  let sequence = 0;
  const lane = async (index: number) => {
    for (let i = 0; !stopping; i++) {
      const at = performance.now() - t0;
      if ((i + index) % 2 === 0) {
        sequence += 1;
        const email = `load-${label}-${sequence}@example.test`;
        const answer = await stack.call('POST', '/t/platform/v1/users', {
          token: stack.operatorToken,
          body: { email },
        });
        outcomes.push({ ...answer, kind: 'write', email, at });
      } else {
        const answer = await stack.call('GET', '/t/platform/v1/me', { token: stack.operatorToken });
        outcomes.push({ ...answer, kind: 'read', at });
      }
      await sleep(40);
    }
  };
  const lanes = Array.from({ length: concurrency }, (_, i) => lane(i));
  return {
    outcomes,
    now: () => performance.now() - t0,
    async stop() {
      stopping = true;
      await Promise.all(lanes);
      return outcomes;
    },
  };
}

export const ok = (o: Answer) => o.status >= 200 && o.status < 300;

/** Waits until a write and a read sent after `since` (load time) have both succeeded. */
async function recovery(
  stack: Stack,
  load: Load,
  since: number,
  timeoutMs = 30_000,
): Promise<number | undefined> {
  const recovered = () =>
    (['write', 'read'] as const).every((kind) =>
      load.outcomes.some((o) => o.kind === kind && o.at >= since && ok(o)),
    );
  await within(timeoutMs, () => recovered() || !alive(stack));
  return recovered() ? load.now() - since : undefined;
}

// ---------------------------------------------------------------------------------------------
// The ledger

export interface Ledger {
  acknowledged: number;
  committed: number;
  /** Writes answered 2xx whose user is not in the database. */
  lostWrites: string[];
  /** Events of committed writes (user.created + user.invited). */
  events: number;
  /** Events still unpublished in the outbox. */
  unpublished: number;
  /** Events that never reached their consumer's receiver (webhook endpoint or mailbox). */
  lostEvents: string[];
  /** Events their receiver got more than once. */
  duplicated: { id: string; type: string; copies: number }[];
  deadLetters: number;
}

const EVENT_ID = /^X-Gatehouse-Event-Id:\s*([0-9a-f-]{36})\s*$/im;

/** Emails received, per event id (every email carries the id of the event that caused it). */
export function mailsByEvent(smtp: SmtpListener): Map<string, number> {
  const counts = new Map<string, number>();
  for (const mail of smtp.received) {
    const id = EVENT_ID.exec(mail.raw.toString('utf8'))?.[1];
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

interface LoadEvent {
  id: string;
  type: string;
  published: boolean;
}

async function loadEvents(stack: Stack, label: string): Promise<LoadEvent[]> {
  const { rows } = await stack.db.query<{ id: string; type: string; published: boolean }>(
    `SELECT id, type, published_at IS NOT NULL AS published FROM outbox
      WHERE type IN ('user.created', 'user.invited') AND payload->>'email' LIKE $1`,
    [`load-${label}-%`],
  );
  return rows;
}

/** The ids of the events that reached a receiver so far (mails and webhook deliveries). */
export function deliveredIds(stack: Stack): Set<string> {
  return new Set([...mailsByEvent(stack.smtp).keys(), ...stack.webhookDeliveries.keys()]);
}

/**
 * The duplicates a fault explains: events whose first copy had reached its receiver by the time
 * `deliveredThen` was taken (just after the fault) and that arrived exactly once more.
 */
export function repeatedAcross(book: Ledger, deliveredThen: ReadonlySet<string>): Ledger['duplicated'] {
  return book.duplicated.filter((d) => deliveredThen.has(d.id) && d.copies === 2);
}

/** The event ids that have not reached their receiver yet (the webhook for created, the mailbox for invited). */
function undelivered(stack: Stack, events: readonly LoadEvent[]): string[] {
  const mails = mailsByEvent(stack.smtp);
  return events
    .filter((e) => !(e.type === 'user.created' ? stack.webhookDeliveries.has(e.id) : mails.has(e.id)))
    .map((e) => e.id);
}

/** Waits until every committed event reached its receiver (or `timeoutMs` passed), then counts. */
export async function settle(stack: Stack, label: string, outcomes: readonly Outcome[], timeoutMs = 30_000) {
  await within(
    timeoutMs,
    async () => !alive(stack) || undelivered(stack, await loadEvents(stack, label)).length === 0,
  );
  // Late duplicates (a redelivery after the first delivery) arrive within a few retry steps.
  await sleep(1500);
  return ledger(stack, label, outcomes);
}

export async function ledger(stack: Stack, label: string, outcomes: readonly Outcome[]): Promise<Ledger> {
  const { rows: users } = await stack.db.query<{ email: string }>(
    'SELECT email FROM users WHERE tenant_id = $1 AND email LIKE $2',
    [stack.platformId, `load-${label}-%`],
  );
  const committed = new Set(users.map((u) => u.email));
  const acknowledged = outcomes.filter((o) => o.kind === 'write' && ok(o)).map((o) => o.email as string);
  const events = await loadEvents(stack, label);
  const mails = mailsByEvent(stack.smtp);
  const received = (e: LoadEvent) =>
    (e.type === 'user.created' ? stack.webhookDeliveries.get(e.id) : mails.get(e.id)) ?? 0;
  const { rows: dead } = await stack.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dead_letters');
  return {
    acknowledged: acknowledged.length,
    committed: committed.size,
    lostWrites: acknowledged.filter((email) => !committed.has(email)),
    events: events.length,
    unpublished: events.filter((e) => !e.published).length,
    lostEvents: undelivered(stack, events),
    duplicated: events
      .filter((e) => received(e) > 1)
      .map((e) => ({ id: e.id, type: e.type, copies: received(e) })),
    deadLetters: dead[0]!.n,
  };
}

/** One line per scenario: what the load saw and what the ledger found. */
export function summary(name: string, outcomes: readonly Outcome[], book: Ledger): string {
  const count = (p: (o: Outcome) => boolean) => outcomes.filter(p).length;
  const max = Math.max(0, ...outcomes.map((o) => o.ms));
  return [
    `${name}: ${outcomes.length} requests, ${count(ok)} ok, ${count((o) => o.status === 503)} answered 503,`,
    `${count((o) => o.status === 0)} without an answer, ${count((o) => o.status !== 0 && o.status !== 503 && !ok(o))} other;`,
    `max latency ${Math.round(max)} ms; writes acknowledged ${book.acknowledged}, committed ${book.committed};`,
    `events ${book.events}; lost: ${book.lostWrites.length + book.lostEvents.length}, duplicated: ${book.duplicated.length}`,
  ].join(' ');
}

// ---------------------------------------------------------------------------------------------
// Processes

/** The pids of `parent`'s child processes (the cluster's workers), from /proc. */
export function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may itself hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent) children.push(Number(entry));
    } catch {
      // the process ended while the directory was read
    }
  }
  return children;
}

// ---------------------------------------------------------------------------------------------
// One outage under load

export interface Outage {
  outcomes: Outcome[];
  /** Load time when the fault was lifted. */
  restoredAt: number;
  /** From the restore until a write and a read succeeded again; undefined if they never did. */
  recoveredMs: number | undefined;
}

/**
 * Two seconds of steady load, then the fault for `holdMs` (4 s; longer if `during` takes longer),
 * then the restore, the wait for recovery, and two more seconds of load.
 */
export async function underLoad(
  stack: Stack,
  label: string,
  fault: {
    inject(): void | Promise<void>;
    during?(load: Load): Promise<void>;
    restore(): void | Promise<void>;
    holdMs?: number;
    concurrency?: number;
  },
): Promise<Outage> {
  const load = startLoad(stack, label, fault.concurrency);
  await sleep(2000);
  await fault.inject();
  await Promise.all([sleep(fault.holdMs ?? 4000), fault.during?.(load)]);
  const restoredAt = load.now();
  await fault.restore();
  const recoveredMs = await recovery(stack, load, restoredAt);
  await sleep(2000);
  const outcomes = await load.stop();
  return { outcomes, restoredAt, recoveredMs };
}

/** Requests sent once the service had recovered (a second of grace for pools to refill). */
export function afterRecovery(outage: Outage): Outcome[] {
  const from = outage.restoredAt + (outage.recoveredMs ?? Number.POSITIVE_INFINITY) + 1000;
  return outage.outcomes.filter((o) => o.at >= from);
}

/** A short description of the answers that are not 2xx, grouped, for assertion messages. */
export function failures(outcomes: readonly Outcome[]): string {
  const groups = new Map<string, number>();
  for (const o of outcomes.filter((x) => !ok(x))) {
    const key = `${o.kind} ${o.status} ${o.code ?? o.error ?? o.contentType}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return JSON.stringify(Object.fromEntries(groups));
}

/** Whether the service process (the cluster's primary, with several workers) is still running. */
export function alive(stack: Stack): boolean {
  return stack.server.child.exitCode === null && stack.server.child.signalCode === null;
}

/** Fails with the service's last output when its process (or the cluster's primary) has exited. */
export function assertAlive(stack: Stack): void {
  if (!alive(stack)) {
    throw new Error(
      `the service process exited (${stack.server.child.exitCode ?? stack.server.child.signalCode}):\n${stack.server.output().slice(-3000)}`,
    );
  }
}
