import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertAlive,
  failures,
  LATENCY_BOUND_MS,
  ledger,
  type Stack,
  settle,
  sleep,
  startLoad,
  startStack,
  summary,
  underLoad,
  within,
} from './harness.ts';

// RabbitMQ restarts under load: every broker connection is reset and new ones are refused for a few
// seconds. The broker is not on the request path, so every request still succeeds; committed events
// wait in the outbox, and once the broker is back the relay and the consumers reconnect by themselves
// and every event is delivered, none twice. The same must hold when the broker is still away as the
// service starts (a whole deployment restarting at once).

/** Events of the load's writes that the relay has not handed to the broker yet. */
async function pending(stack: Stack, label: string): Promise<number> {
  const { rows } = await stack.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND payload->>$1 LIKE $2',
    ['email', `load-${label}-%`],
  );
  return rows[0]!.n;
}

const ms = (v: number | undefined) => (v === undefined ? 'never' : `${Math.round(v)} ms`);

test('a RabbitMQ restart: requests unaffected, the outbox holds events, delivery resumes, nothing lost', async (t) => {
  const stack = await startStack();
  t.after(() => stack.close());
  const label = 'amqp-restart';
  let heldAtMost = 0;
  let readiness = 0;
  const outage = await underLoad(stack, label, {
    inject: () => stack.proxies.amqp.cut(),
    async during() {
      // Sampled through the outage: the events committed meanwhile stay in the outbox.
      for (let i = 0; i < 6; i++) {
        await sleep(600);
        heldAtMost = Math.max(heldAtMost, await pending(stack, label));
      }
      readiness = (await stack.call('GET', '/readyz')).status;
    },
    restore: () => stack.proxies.amqp.restore(),
  });
  const drained = await within(30_000, async () => (await pending(stack, label)) === 0);
  assertAlive(stack);
  const book =
    drained === undefined
      ? await ledger(stack, label, outage.outcomes)
      : await settle(stack, label, outage.outcomes);
  t.diagnostic(summary('RabbitMQ restart', outage.outcomes, book));
  t.diagnostic(
    `outbox held up to ${heldAtMost} events of the load during the outage; drained ${ms(drained)} ` +
      `after the restore; /readyz answered ${readiness} while the broker was away`,
  );

  assert.equal(failures(outage.outcomes), '{}', 'the broker is not on the request path');
  const slowest = Math.max(...outage.outcomes.map((o) => o.ms));
  assert.ok(slowest <= LATENCY_BOUND_MS, `a request took ${Math.round(slowest)} ms`);
  assert.ok(heldAtMost > 0, 'events committed during the outage waited in the outbox');
  assert.ok(drained !== undefined, `the outbox never drained\n${stack.server.output().slice(-3000)}`);

  assert.deepEqual(book.lostWrites, []);
  assert.equal(book.unpublished, 0);
  assert.deepEqual(book.lostEvents, [], 'every event reached its receiver');
  assert.deepEqual(book.duplicated, [], 'no event reached its receiver twice');
  assert.equal(book.deadLetters, 0);
});

test('RabbitMQ away while the service starts: it serves, and delivers once the broker is back', async (t) => {
  const stack = await startStack({ downAtStart: ['amqp'] });
  t.after(() => stack.close());
  const label = 'amqp-at-start';
  const load = startLoad(stack, label);
  await sleep(3000);
  stack.proxies.amqp.restore();
  await sleep(1000);
  const outcomes = await load.stop();
  const drained = await within(30_000, async () => (await pending(stack, label)) === 0);
  assertAlive(stack);
  const book =
    drained === undefined ? await ledger(stack, label, outcomes) : await settle(stack, label, outcomes);
  t.diagnostic(summary('RabbitMQ away at start', outcomes, book));
  t.diagnostic(`outbox drained ${ms(drained)} after the load stopped, the broker back for a second`);

  assert.equal(failures(outcomes), '{}', 'the service serves without its broker');
  assert.ok(
    drained !== undefined,
    `events still wait in the outbox 30 s after the broker came back\n${stack.server.output().slice(-3000)}`,
  );
  assert.deepEqual(book.lostWrites, []);
  assert.deepEqual(book.lostEvents, [], 'every event reached its receiver');
  assert.deepEqual(book.duplicated, []);
});
