// The pieces both backends share: what makes a message poison, and the back-off schedule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeEvent, encodeEvent } from '../../src/events/queue/message-codec.ts';
import { createRetryPolicy } from '../../src/events/queue/retry-policy.ts';
import { sampleEvent } from './queue-support.ts';

describe('message codec', () => {
  test('an encoded event decodes to itself', () => {
    const event = sampleEvent();
    const decoded = decodeEvent(encodeEvent(event));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.event, event);
    assert.deepEqual(decoded.envelope, { eventId: event.id, type: event.type, tenantId: event.tenant_id });
  });

  test('poison messages are named without quoting their payload', () => {
    const event = sampleEvent();
    const cases: [string, RegExp][] = [
      ['{nope', /not JSON/],
      ['[1,2]', /not a JSON object/],
      [JSON.stringify({ ...event, id: 'x' }), /id is not a UUID/],
      [JSON.stringify({ ...event, type: 'user.flew' }), /unknown event type "user\.flew"/],
      [JSON.stringify({ ...event, type: 'toString' }), /unknown event type/],
      [JSON.stringify({ ...event, version: 2 }), /user\.created version 2 is not the known 1/],
      [JSON.stringify({ ...event, tenant_id: 7 }), /tenant_id/],
      [JSON.stringify({ ...event, occurred_at: 'soon' }), /occurred_at/],
      [JSON.stringify({ ...event, payload: 'secret@example.test' }), /payload is not an object/],
    ];
    for (const [body, reason] of cases) {
      const decoded = decodeEvent(body);
      assert.equal(decoded.ok, false, body);
      if (decoded.ok) continue;
      assert.match(decoded.error, reason);
      assert.doesNotMatch(decoded.error, /example\.test/);
    }
    const unknown = decodeEvent(JSON.stringify({ ...event, type: 'user.flew' }));
    assert.equal(unknown.envelope.eventId, event.id, 'what can be read is kept for the dead letter');
  });
});

describe('retry policy', () => {
  test('the delay doubles from the base up to the cap; jitter only shortens it', () => {
    const exact = createRetryPolicy({ maxAttempts: 6, baseMs: 100, maxMs: 1000, jitter: 0 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 60].map((a) => exact.delay(a)),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
    const jittered = createRetryPolicy({ maxAttempts: 6, baseMs: 100, maxMs: 1000 }, () => 1);
    assert.equal(jittered.delay(3), 320);
    assert.equal(jittered.nominalDelay(3), 400);
    assert.equal(exact.exhausted(5), false);
    assert.equal(exact.exhausted(6), true);
    assert.throws(() => createRetryPolicy({ maxAttempts: 0, baseMs: 1, maxMs: 1 }));
  });
});
