import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { CounterStore } from '../../src/security/counter-store.ts';
import { createCounterStore } from '../../src/security/create-counter-store.ts';
import { registerRateLimit } from '../../src/security/rate-limit.ts';
import { createRedisCounterStore } from '../../src/security/redis-counter-store.ts';
import { VARIANTS } from '../support/databases.ts';
import { problemOf, startTestApp } from '../support/test-app.ts';
import { createTenant, freshIp, recordingLog, startReplica, testRoutes } from './rate-limit-support.ts';

const REDIS_URL = process.env.TEST_REDIS_URL;
const skip = REDIS_URL ? false : 'TEST_REDIS_URL not set';
// Nothing listens on port 1: connections are refused at once, like a Redis that is down.
const DEAD_REDIS = 'redis://127.0.0.1:1';

/** A key namespace of this run alone, removed afterwards. */
const runPrefix = () => `gatehouse:rl:test-${randomBytes(6).toString('hex')}:`;

async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

/** Two replicas of one service, each limiting with its own store, on test routes. */
async function twoReplicas(variant: (typeof VARIANTS)[number], stores: [CounterStore, CounterStore]) {
  const limit = (store: CounterStore) => (app: FastifyInstance) => {
    registerRateLimit(app, { store, enabled: true, globalPerMinute: 10_000 });
    testRoutes(app);
  };
  const t = await startTestApp(variant, { env: { RATE_LIMIT_ENABLED: 'false' }, extend: limit(stores[0]) });
  const replica = await startReplica(t, limit(stores[1]));
  const slug = `rl-${randomBytes(4).toString('hex')}`;
  await createTenant(t, slug);
  return {
    apps: [t.app, replica.app] as const,
    slug,
    async close() {
      await replica.close();
      await t.close();
      await Promise.all(stores.map((s) => s.close()));
    },
  };
}

describe('Redis counter store', { skip }, () => {
  let redis: Redis;
  const prefix = runPrefix();
  before(() => {
    redis = new Redis(REDIS_URL as string);
  });
  after(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  test('counts in one shared fixed window per key, under the key prefix', async () => {
    const { log, lines } = recordingLog();
    const store = createRedisCounterStore({ url: REDIS_URL as string, log, prefix });
    const first = await store.hit('k', 60_000);
    assert.equal(first.count, 1);
    const ttl = await redis.pttl(`${prefix}k`);
    assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
    assert.equal((await store.hit('k', 60_000)).count, 2);
    assert.equal((await store.peek('k'))?.count, 2);
    assert.equal(await redis.get(`${prefix}k`), '2');
    assert.equal(await store.peek('missing'), undefined);
    await store.reset('k');
    assert.equal(await redis.exists(`${prefix}k`), 0);

    // The window ends with the key: the next hit opens a new one.
    await store.hit('short', 50);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await store.hit('short', 50)).count, 1);
    assert.deepEqual(lines, []);
    await store.close();
  });

  test('createCounterStore with a Redis URL shares counts between its instances', async () => {
    const { log } = recordingLog();
    const a = createCounterStore(REDIS_URL as string, log, { prefix });
    const b = createCounterStore(REDIS_URL as string, log, { prefix });
    assert.equal((await a.hit('shared', 60_000)).count, 1);
    assert.equal((await b.hit('shared', 60_000)).count, 2);
    assert.equal((await a.hit('shared', 60_000)).count, 3);
    await Promise.all([a.close(), b.close()]);
  });

  test('a Redis that accepts connections but never answers costs no request', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const { log, lines } = recordingLog();
    const store = createRedisCounterStore({ url: `redis://127.0.0.1:${port}`, log, prefix });
    try {
      for (let i = 1; i <= 5; i++) assert.equal((await store.hit('hung', 60_000)).count, i);
      assert.equal(lines.filter((l) => l.level === 'warn').length, 1);
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('an outage falls back to process memory, warns once, and recovers', async () => {
    const proxy = await tcpProxy(new URL(REDIS_URL as string));
    const { log, lines } = recordingLog();
    const store = createRedisCounterStore({ url: `redis://127.0.0.1:${proxy.port}`, log, prefix });
    const warnings = () => lines.filter((l) => l.level === 'warn').length;
    try {
      assert.equal((await store.hit('o', 60_000)).count, 1);
      assert.equal((await store.hit('o', 60_000)).count, 2);
      assert.equal(warnings(), 0);

      await proxy.cut();
      // Served from memory, and still counted there; one warning for the whole outage.
      const during = [];
      for (let i = 0; i < 5; i++) during.push((await store.hit('o', 60_000)).count);
      assert.deepEqual(during, [1, 2, 3, 4, 5]);
      assert.equal(warnings(), 1);

      await proxy.restore();
      let back = false;
      for (let i = 0; i < 100 && !back; i++) {
        await store.hit('probe', 60_000);
        back = (await redis.exists(`${prefix}probe`)) === 1;
        if (!back) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(back, 'the store writes to Redis again once it answers');
      assert.equal((await store.hit('o', 60_000)).count, 3);
      assert.equal(lines.filter((l) => l.level === 'info').length, 1);

      await proxy.cut();
      await store.hit('o', 60_000);
      assert.equal(warnings(), 2, 'a new outage warns again');
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  for (const variant of VARIANTS) {
    test(`two replicas reach one shared limit together (${variant})`, async () => {
      const { log } = recordingLog();
      const stores: [CounterStore, CounterStore] = [
        createCounterStore(REDIS_URL as string, log, { prefix }),
        createCounterStore(REDIS_URL as string, log, { prefix }),
      ];
      const run = await twoReplicas(variant, stores);
      try {
        const ip = freshIp();
        const url = `/t/${run.slug}/test/login`;
        for (let i = 1; i <= 30; i++) {
          const app = run.apps[i % 2] as FastifyInstance;
          const res = await app.inject({ method: 'POST', url, payload: {}, remoteAddress: ip });
          assert.equal(res.statusCode, 200, `request ${i}`);
          assert.match(String(res.headers.ratelimit), new RegExp(`^"login";r=${30 - i};t=\\d+$`));
        }
        for (const app of run.apps) {
          const res = await app.inject({ method: 'POST', url, payload: {}, remoteAddress: ip });
          problemOf(res, 429, 'IAM_ERR_RATE_LIMITED');
        }
      } finally {
        await run.close();
      }
    });
  }
});

describe('Redis unreachable', () => {
  for (const variant of VARIANTS) {
    test(`requests are served and limited per process (${variant})`, async () => {
      const { log, lines } = recordingLog();
      const stores: [CounterStore, CounterStore] = [
        createCounterStore(DEAD_REDIS, log),
        createCounterStore(DEAD_REDIS, log),
      ];
      const run = await twoReplicas(variant, stores);
      try {
        const ip = freshIp();
        const url = `/t/${run.slug}/test/register`;
        // Each replica counts on its own: both let the full limit through, then refuse.
        for (const app of run.apps) {
          for (let i = 1; i <= 10; i++) {
            const res = await app.inject({ method: 'POST', url, payload: {}, remoteAddress: ip });
            assert.equal(res.statusCode, 200, `request ${i}`);
            assert.equal(res.headers.ratelimit, `"register";r=${10 - i};t=60`);
          }
          const refused = await app.inject({ method: 'POST', url, payload: {}, remoteAddress: ip });
          problemOf(refused, 429, 'IAM_ERR_RATE_LIMITED');
        }
        // One warning per store for the outage, not one per request.
        assert.equal(lines.filter((l) => l.level === 'warn').length, 2);
      } finally {
        await run.close();
      }
    });
  }
});

/** A TCP relay to Redis that a test can cut (Redis gone) and restore on the same port. */
async function tcpProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      const relay = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        for (const s of [client, upstream]) {
          s.on('error', () => {});
          s.on('close', () => {
            client.destroy();
            upstream.destroy();
          });
        }
      });
      server = relay;
      relay.listen(port, '127.0.0.1', () => {
        port = (relay.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = async () => {
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
    server = undefined;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: listen,
    close: cut,
  };
}
