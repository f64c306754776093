import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateWebhookSecret, signWebhook, verifyWebhookSignature } from '../../src/webhooks/index.ts';

const body = '{"id":"0197f2d4-0000-7000-8000-000000000000","type":"user.created","data":{}}';
const now = 1_750_000_000;

describe('webhook signatures', () => {
  test('secrets are whsec_ plus 256 random bits, base64url', () => {
    const a = generateWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.slice(6), 'base64url').length, 32);
    assert.notEqual(a, generateWebhookSecret());
  });

  test('the header is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">, as documented', () => {
    const secret = generateWebhookSecret();
    const header = signWebhook(secret, body, now);
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    assert.equal(header, `t=${now},v1=${expected}`);
  });

  test('a signature verifies for its body, secret and a time within the tolerance', () => {
    const secret = generateWebhookSecret();
    const header = signWebhook(secret, body, now);
    assert.equal(verifyWebhookSignature(secret, header, body, now), true);
    assert.equal(verifyWebhookSignature(secret, header, Buffer.from(body), now + 300), true);
    assert.equal(verifyWebhookSignature(secret, header, body, now - 300), true);
  });

  test('anything else does not', () => {
    const secret = generateWebhookSecret();
    const header = signWebhook(secret, body, now);
    assert.equal(verifyWebhookSignature(generateWebhookSecret(), header, body, now), false);
    assert.equal(verifyWebhookSignature(secret, header, body.replace('user', 'group'), now), false);
    assert.equal(verifyWebhookSignature(secret, header, body, now + 301), false, 'too old: a replay');
    assert.equal(verifyWebhookSignature(secret, header, body, now - 301), false, 'from the future');
    assert.equal(verifyWebhookSignature(secret, header, body, now + 60, 30), false, 'custom tolerance');
    // A captured signature cannot be moved to another timestamp.
    const v1 = header.split(',v1=')[1];
    assert.equal(verifyWebhookSignature(secret, `t=${now + 100},v1=${v1}`, body, now + 100), false);
    for (const broken of [undefined, null, '', 'v1=abc', `t=${now}`, `t=x,v1=${v1}`, `t=${now},v1=zz`]) {
      assert.equal(verifyWebhookSignature(secret, broken, body, now), false, String(broken));
    }
    assert.equal(verifyWebhookSignature(secret, `t=${now},t=${now},v1=${v1}`, body, now), false);
  });

  test('one valid v1 among several is enough, and unknown schemes are ignored', () => {
    const secret = generateWebhookSecret();
    const good = signWebhook(secret, body, now).split(',v1=')[1];
    const other = signWebhook(generateWebhookSecret(), body, now).split(',v1=')[1];
    assert.equal(verifyWebhookSignature(secret, `t=${now},v1=${other},v1=${good},v2=xyz`, body, now), true);
    assert.equal(verifyWebhookSignature(secret, `t=${now}, v1=${good}`, body, now), true);
  });
});
