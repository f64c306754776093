import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDate } from '../../../src/policies/engine/dates.ts';
import { addressInAny, parseCidr } from '../../../src/policies/engine/ip.ts';
import { parseNumber } from '../../../src/policies/engine/scalars.ts';

const inBlock = (address: string, block: string): boolean => {
  const cidr = parseCidr(block);
  assert.ok(cidr, `block ${block} must parse`);
  return addressInAny(address, [cidr]);
};

describe('IP addresses and CIDR blocks (policy-spec §5 IpAddress)', () => {
  test('valid IPv4 and IPv6 forms parse', () => {
    for (const text of [
      '0.0.0.0',
      '255.255.255.255/32',
      '10.0.0.0/8',
      '::',
      '::1',
      '::/0',
      '1::',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7::',
      '2001:DB8::/32',
      '::ffff:192.0.2.1',
      '64:ff9b::192.0.2.33/96',
    ]) {
      assert.ok(parseCidr(text), text);
    }
  });

  test('malformed addresses and blocks are rejected', () => {
    for (const text of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.4/33',
      '1.2.3.4/08',
      '1.2.3.4/',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::',
      ':1::',
      '1:',
      '1:2:3:4:5:6:7:8::',
      'fe80::1%eth0',
      '::/129',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
      'g::1',
    ]) {
      assert.equal(parseCidr(text), undefined, text);
    }
  });

  test('prefixes select the network bits, host bits in the block are ignored', () => {
    assert.equal(inBlock('10.255.0.1', '10.1.2.3/8'), true);
    assert.equal(inBlock('10.0.0.1', '10.0.0.0/31'), true);
    assert.equal(inBlock('10.0.0.2', '10.0.0.0/31'), false);
    assert.equal(inBlock('200.1.1.1', '128.0.0.0/1'), true);
    assert.equal(inBlock('2001:db8:ffff::1', '2001:db8::/33'), false);
    assert.equal(inBlock('2001:db8:7fff::1', '2001:db8::/33'), true);
    assert.equal(inBlock('2001:db8::1:2', '2001:db8::1:0/112'), true);
    assert.equal(inBlock('2001:db8::2:2', '2001:db8::1:0/112'), false);
  });

  test('a bare address is /32 or /128', () => {
    assert.equal(inBlock('10.0.0.1', '10.0.0.1'), true);
    assert.equal(inBlock('10.0.0.2', '10.0.0.1'), false);
    assert.equal(inBlock('::2', '::1'), false);
    assert.equal(inBlock('0:0:0:0:0:0:0:1', '::1'), true);
  });

  test('families never cross', () => {
    assert.equal(inBlock('10.0.0.1', '::/0'), false);
    assert.equal(inBlock('::ffff:10.0.0.1', '10.0.0.0/8'), false);
    assert.equal(inBlock('::ffff:10.0.0.1', '::ffff:10.0.0.0/104'), true);
  });

  test('request values must be bare addresses', () => {
    assert.equal(inBlock('10.0.0.1/8', '10.0.0.0/8'), false);
    assert.equal(inBlock(' 10.0.0.1', '10.0.0.0/8'), false);
  });
});

describe('dates (policy-spec §5 Date*; epoch values are seconds)', () => {
  const jan1 = 1_704_067_200 * 1_000_000;

  test('ISO 8601 with Z, offsets and fractions', () => {
    assert.equal(parseDate('2024-01-01T00:00:00Z'), jan1);
    assert.equal(parseDate('2024-01-01'), jan1);
    assert.equal(parseDate('2024-01-01T05:30:00+05:30'), jan1);
    assert.equal(parseDate('2024-01-01T05:30:00+0530'), jan1);
    assert.equal(parseDate('2023-12-31T23:00-01:00'), jan1);
    assert.equal(parseDate('2024-01-01T00:00:00.25Z'), jan1 + 250_000);
    assert.equal(parseDate('2024-01-01T00:00:00.000001Z'), jan1 + 1);
    assert.equal(parseDate('1969-12-31T23:59:59Z'), -1_000_000);
    assert.equal(parseDate('2024-02-29T00:00:00Z'), jan1 + 59 * 86_400_000_000);
  });

  test('epoch seconds as numbers and digit strings', () => {
    assert.equal(parseDate(1_704_067_200), jan1);
    assert.equal(parseDate('1704067200'), jan1);
    assert.equal(parseDate('1704067200.5'), jan1 + 500_000);
  });

  test('invalid dates are rejected', () => {
    for (const text of [
      '2023-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-04-31',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:60:00Z',
      '2024-01-01T00:00:60Z',
      '2024-01-01T00:00:00+24:00',
      '2024-01-01 00:00:00Z',
      '24-01-01',
      'yesterday',
      '',
    ]) {
      assert.equal(parseDate(text), undefined, text);
    }
    assert.equal(parseDate(true), undefined);
    assert.equal(parseDate(Number.NaN), undefined);
  });
});

describe('numbers (policy-spec §5 Numeric*)', () => {
  test('integers, decimals and numeric strings', () => {
    assert.equal(parseNumber(3), 3);
    assert.equal(parseNumber('-3'), -3);
    assert.equal(parseNumber('+3.25'), 3.25);
    assert.equal(parseNumber('.5'), 0.5);
    assert.equal(parseNumber('5.'), 5);
  });

  test('anything else is unparsable', () => {
    for (const value of [
      '',
      ' 1',
      '1e3',
      '0x10',
      'Infinity',
      'NaN',
      '1,000',
      true,
      Number.POSITIVE_INFINITY,
    ]) {
      assert.equal(parseNumber(value), undefined, String(value));
    }
  });
});
