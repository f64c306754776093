import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientKey } from '../../src/security/client-key.ts';
import { createCounterStore } from '../../src/security/create-counter-store.ts';
import { createMemoryCounterStore } from '../../src/security/memory-counter-store.ts';
import { recordingLog } from './rate-limit-support.ts';

describe('memory counter store', () => {
  test('counts hits in fixed windows; peek does not count; reset forgets', async () => {
    let nowMs = 1_000_000;
    const store = createMemoryCounterStore({ now: () => nowMs });
    assert.deepEqual(await store.hit('a', 10_000), { count: 1, resetAt: 1_010_000 });
    nowMs += 9_999;
    assert.deepEqual(await store.hit('a', 60_000), { count: 2, resetAt: 1_010_000 });
    assert.deepEqual(await store.peek('a'), { count: 2, resetAt: 1_010_000 });
    assert.equal(await store.peek('b'), undefined);
    nowMs += 1;
    assert.equal(await store.peek('a'), undefined);
    assert.deepEqual(await store.hit('a', 60_000), { count: 1, resetAt: 1_070_000 });
    await store.reset('a');
    assert.equal(await store.peek('a'), undefined);
    await store.close();
  });

  test('memory stays bounded: expired windows are swept, the oldest evicted when full', async () => {
    let nowMs = 0;
    const store = createMemoryCounterStore({ now: () => nowMs, maxEntries: 100, sweepIntervalMs: 1000 });
    for (let i = 0; i < 1000; i++) await store.hit(`flood-${i}`, 60_000);
    assert.ok(store.size() <= 100, `size ${store.size()}`);
    // The newest keys are the ones kept.
    assert.equal((await store.peek('flood-999'))?.count, 1);
    assert.equal(await store.peek('flood-0'), undefined);

    nowMs = 61_000;
    await store.hit('after', 60_000);
    assert.equal(store.size(), 1);
    await store.close();
  });

  test('createCounterStore without a Redis URL keeps counters in process', async () => {
    const { log, lines } = recordingLog();
    const store = createCounterStore('', log);
    assert.equal((await store.hit('x', 1000)).count, 1);
    assert.equal((await store.hit('x', 1000)).count, 2);
    assert.deepEqual(lines, []);
    await store.close();
  });
});

describe('client keys', () => {
  test('IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64', () => {
    assert.equal(clientKey('203.0.113.9'), '203.0.113.9');
    assert.equal(clientKey('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  });
});
