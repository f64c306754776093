import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from '../../src/mfa/recovery-codes.ts';
import { matchingSteps, stepExpiry, timeStep, totpCode, totpKeyUri } from '../../src/mfa/totp.ts';

// RFC 6238 Appendix B: the SHA1 rows, secret "12345678901234567890", 8 digits, 30-second steps.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC_SHA1 = [
  [59, '94287082'],
  [1_111_111_109, '07081804'],
  [1_111_111_111, '14050471'],
  [1_234_567_890, '89005924'],
  [2_000_000_000, '69279037'],
  [20_000_000_000, '65353130'],
] as const;

describe('TOTP (RFC 6238)', () => {
  test('matches the Appendix B test vectors for SHA1', () => {
    for (const [seconds, expected] of RFC_SHA1) {
      assert.equal(totpCode(RFC_SECRET, timeStep(seconds * 1000), { digits: 8 }), expected, `T=${seconds}`);
    }
  });

  test('six-digit codes are the last six digits of the eight-digit ones (RFC 4226 §5.3)', () => {
    for (const [seconds, expected] of RFC_SHA1) {
      assert.equal(totpCode(RFC_SECRET, timeStep(seconds * 1000)), expected.slice(2));
    }
  });

  test('the window accepts one step either side and no further', () => {
    const now = 1_111_111_111_000;
    const step = timeStep(now);
    for (const delta of [-1, 0, 1]) {
      assert.deepEqual(matchingSteps(RFC_SECRET, totpCode(RFC_SECRET, step + delta), now, 1), [step + delta]);
    }
    for (const delta of [-2, 2]) {
      assert.deepEqual(matchingSteps(RFC_SECRET, totpCode(RFC_SECRET, step + delta), now, 1), []);
    }
    assert.deepEqual(matchingSteps(RFC_SECRET, totpCode(RFC_SECRET, step + 1), now, 0), []);
  });

  test('malformed codes never match', () => {
    const now = 1_234_567_890_000;
    const code = totpCode(RFC_SECRET, timeStep(now));
    for (const bad of ['', code.slice(0, 5), `${code}0`, 'abcdef', `${code.slice(0, 5)}\0`]) {
      assert.deepEqual(matchingSteps(RFC_SECRET, bad, now, 1), [], bad);
    }
  });

  test('a used step stays refused until it leaves the window', () => {
    const step = 1000;
    // Accepted up to step + window (as the previous step), so kept until the end of that step.
    assert.equal(stepExpiry(step, 1).getTime(), (step + 2) * 30_000);
  });

  test('the key URI carries issuer, account and the app-compatible parameters', () => {
    const uri = new URL(totpKeyUri(RFC_SECRET, 'Acme Corp', 'ann@example.com'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Acme Corp:ann@example.com');
    assert.equal(uri.searchParams.get('issuer'), 'Acme Corp');
    assert.equal(uri.searchParams.get('secret'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
  });
});

describe('recovery codes', () => {
  test('ten distinct codes of 60 bits, grouped for reading', () => {
    const codes = newRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[2-9a-z]{6}-[2-9a-z]{6}-[2-9a-z]{6}-[2-9a-z]{6}$/);
  });

  test('case, spaces and dashes do not change the stored hash; the user does', () => {
    fc.assert(
      fc.property(fc.constantFrom(...newRecoveryCodes()), (code) => {
        const spaced = ` ${code.toUpperCase().replaceAll('-', ' ')} `;
        assert.equal(normalizeRecoveryCode(spaced), code.replaceAll('-', ''));
        assert.equal(hashRecoveryCode('u1', spaced), hashRecoveryCode('u1', code));
        assert.notEqual(hashRecoveryCode('u2', code), hashRecoveryCode('u1', code));
      }),
    );
  });
});
