import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  afterRecovery,
  assertAlive,
  failures,
  LATENCY_BOUND_MS,
  ok,
  settle,
  startStack,
  summary,
  underLoad,
} from './harness.ts';

// PostgreSQL goes away under load, twice: restarted (every connection reset, new ones refused), then
// partitioned (connections open but nothing answers, the case only timeouts end). While it is away
// requests fail fast with 503 problems; once it is back the service serves again by itself, and every
// acknowledged write and every event of a committed write is there, delivered once.

describe('PostgreSQL outages under load', () => {
  for (const kind of ['restart', 'partition'] as const) {
    test(`a ${kind}: 503 problems while it lasts, recovery by itself, nothing lost`, async (t) => {
      const stack = await startStack();
      t.after(() => stack.close());
      const label = `pg-${kind}`;
      const proxy = stack.proxies.postgres;
      const outage = await underLoad(stack, label, {
        inject: () => (kind === 'restart' ? proxy.cut() : proxy.stall()),
        restore: () => proxy.restore(),
      });
      const book = await settle(stack, label, outage.outcomes);
      t.diagnostic(summary(`PostgreSQL ${kind}`, outage.outcomes, book));
      assertAlive(stack);
      const output = () => stack.server.output().slice(-3000);

      const refused = outage.outcomes.filter((o) => !ok(o));
      assert.ok(refused.length > 0, 'the outage was felt by the load');
      for (const o of refused) {
        assert.equal(o.status, 503, `answers: ${failures(refused)}\n${output()}`);
        assert.match(o.contentType, /^application\/problem\+json/);
        assert.equal(o.code, 'IAM_ERR_UNAVAILABLE');
      }
      const slowest = Math.max(...outage.outcomes.map((o) => o.ms));
      assert.ok(slowest <= LATENCY_BOUND_MS, `a request took ${Math.round(slowest)} ms`);
      assert.ok(outage.recoveredMs !== undefined, `no recovery after the restore\n${output()}`);
      const later = afterRecovery(outage);
      assert.ok(later.length > 0);
      assert.equal(failures(later), '{}', 'every request after the recovery succeeds');

      assert.deepEqual(book.lostWrites, [], 'acknowledged writes are committed');
      assert.equal(book.unpublished, 0, 'the outbox is drained');
      assert.deepEqual(book.lostEvents, [], 'every event reached its receiver');
      assert.deepEqual(book.duplicated, [], 'no event reached its receiver twice');
      assert.equal(book.deadLetters, 0);
    });
  }
});
