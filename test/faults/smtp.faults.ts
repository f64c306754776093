import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertAlive,
  failures,
  mailsByEvent,
  repeatedAcross,
  settle,
  sleep,
  startStack,
  summary,
  underLoad,
  within,
} from './harness.ts';

// The mail server refuses under load. Emails are sent by the `notifications` consumer, never on the
// request path, so every request still succeeds; each email that cannot be sent is retried with
// backoff and then becomes a dead letter. Once the server accepts again, new emails flow by
// themselves and an operator's replay sends the dead-lettered ones: every invitation arrives, once.
// The one repetition the cut can cause is SMTP's own (RFC 1047): a message whose final dot reached the
// server just as the connection broke is kept by the server while the sender never hears the 250, and
// sends it again. Such copies are counted and reported; any other duplicate fails the test.

// Three quick attempts (100 ms, then 200 ms apart): a few seconds of refusal dead-letters plenty.
const RETRY = { QUEUE_MAX_ATTEMPTS: '3', QUEUE_RETRY_BASE_MS: '100', QUEUE_RETRY_MAX_MS: '200' };

test('SMTP refusing: retries, then dead letters; the replay delivers each email once', async (t) => {
  const stack = await startStack({ env: RETRY });
  t.after(() => stack.close());
  const label = 'smtp-refuse';
  const deadLetters = async () =>
    (
      await stack.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM dead_letters WHERE consumer = 'notifications'",
      )
    ).rows[0]!.n;
  let deliveredAtCut = new Set<string>();
  const outage = await underLoad(stack, label, {
    async inject() {
      stack.proxies.smtp.cut();
      await sleep(500);
      deliveredAtCut = new Set(mailsByEvent(stack.smtp).keys());
    },
    restore: () => stack.proxies.smtp.restore(),
  });
  assertAlive(stack);
  // The retries of emails refused at the end of the outage may still be under way: wait until the
  // dead letters stop growing.
  let lettered = await deadLetters();
  await within(20_000, async () => {
    await sleep(1000);
    const now = await deadLetters();
    const stable = now === lettered;
    lettered = now;
    return stable;
  });
  const mailsBeforeReplay = mailsByEvent(stack.smtp).size;

  let replayed = 0;
  for (let batch = 1000; batch === 1000; ) {
    const res = await stack.call('POST', '/v1/dead-letters/replay', {
      token: stack.operatorToken,
      body: { consumer: 'notifications' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    batch = (res.json as { replayed: number }).replayed;
    replayed += batch;
  }
  const book = await settle(stack, label, outage.outcomes);
  const repeatedByCut = repeatedAcross(book, deliveredAtCut);
  t.diagnostic(summary('SMTP refusing', outage.outcomes, book));
  t.diagnostic(
    `${lettered} emails dead-lettered (${stack.proxies.smtp.refused} SMTP connections refused), ` +
      `${replayed} replayed; ${mailsBeforeReplay} distinct emails had arrived before the replay; ` +
      `${repeatedByCut.length} sent again because the cut swallowed the server's answer`,
  );

  assert.equal(failures(outage.outcomes), '{}', 'mail is not on the request path');
  assert.ok(lettered > 0, 'refused emails became dead letters');
  assert.equal(replayed, lettered);
  assert.deepEqual(book.lostWrites, []);
  assert.equal(book.unpublished, 0);
  assert.deepEqual(book.lostEvents, [], 'every email arrived after the replay');
  assert.deepEqual(book.duplicated, repeatedByCut, 'none twice but those the cut explains');
  assert.equal(book.deadLetters, 0, 'the replay emptied the dead letters');
});
