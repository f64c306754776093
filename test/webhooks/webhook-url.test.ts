import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../src/http/index.ts';
import {
  type AddressLookup,
  addressRefusal,
  assertWebhookUrl,
  webhookUrlRefusal,
} from '../../src/webhooks/index.ts';

const strict = { allowInsecure: false };
/** A resolver that answers from a table, so no test depends on the internet. */
const table =
  (answers: Record<string, string[]>): AddressLookup =>
  async (hostname) => {
    const addresses = answers[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('webhook URL rules (WEBHOOK_ALLOW_INSECURE off)', () => {
  const refused: [string, RegExp][] = [
    ['http://hooks.example.com/in', /must use https/],
    ['ftp://hooks.example.com/in', /must use https/],
    ['https://127.0.0.1/in', /loopback/],
    ['https://127.1.2.3:8443/in', /loopback/],
    ['https://[::1]/in', /loopback/],
    ['https://[::ffff:127.0.0.1]/in', /loopback/],
    ['https://0x7f000001/in', /loopback/], // WHATWG URL parsing turns other IPv4 spellings into dotted form
    ['https://2130706433/in', /loopback/],
    ['https://10.1.2.3/in', /private/],
    ['https://172.16.0.1/in', /private/],
    ['https://192.168.1.1/in', /private/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://[fe80::1]/in', /link-local/],
    ['https://[fd12:3456::1]/in', /unique-local/],
    ['https://224.0.0.1/in', /multicast/],
    ['https://[ff02::1]/in', /multicast/],
    ['https://0.0.0.0/in', /unspecified/],
    ['https://[::]/in', /unspecified/],
    ['https://localhost/in', /resolves to a loopback address/],
    ['https://user:secret@hooks.example.com/in', /credentials/],
    ['https://token@hooks.example.com/in', /credentials/],
    ['https://hooks.example.com/in#part', /fragment/],
    ['hooks.example.com/in', /not an absolute URL/],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, /longer than 2048/],
  ];
  for (const [url, why] of refused) {
    test(`refuses ${url.slice(0, 60)}`, async () => {
      // example.com names are answered from the table; localhost by the system resolver (/etc/hosts).
      const lookup = table({ 'hooks.example.com': ['93.184.216.34'] });
      const policy = url.includes('example.com') ? { ...strict, lookup } : strict;
      const reason = await webhookUrlRefusal(url, policy);
      assert.ok(reason, `${url} should be refused`);
      assert.match(reason, why);
    });
  }

  test('every address a name resolves to is checked', async () => {
    const lookup = table({
      'mixed.example.com': ['93.184.216.34', '10.0.0.7'],
      'v6.example.com': ['2606:4700:4700::1111', '::1'],
      'public.example.com': ['93.184.216.34', '2606:4700:4700::1111'],
    });
    assert.match(
      (await webhookUrlRefusal('https://mixed.example.com/', { ...strict, lookup })) ?? '',
      /resolves to a private address/,
    );
    assert.match(
      (await webhookUrlRefusal('https://v6.example.com/', { ...strict, lookup })) ?? '',
      /resolves to a loopback address/,
    );
    assert.equal(
      await webhookUrlRefusal('https://public.example.com/hook?x=1', { ...strict, lookup }),
      undefined,
    );
    assert.match(
      (await webhookUrlRefusal('https://nowhere.example.com/', { ...strict, lookup })) ?? '',
      /does not resolve/,
    );
  });

  test('public address literals are accepted without DNS', async () => {
    const lookup: AddressLookup = async () => assert.fail('no lookup for a literal');
    assert.equal(await webhookUrlRefusal('https://93.184.216.34:8443/in', { ...strict, lookup }), undefined);
    assert.equal(
      await webhookUrlRefusal('https://[2606:4700:4700::1111]/in', { ...strict, lookup }),
      undefined,
    );
  });

  test('assertWebhookUrl answers a 422 problem pointing at the field, or the normalised URL', async () => {
    const lookup = table({ 'hooks.example.com': ['93.184.216.34'] });
    await assert.rejects(assertWebhookUrl('https://10.1.2.3/', strict, '/url'), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.code, 'IAM_ERR_WEBHOOK_URL_REFUSED');
      assert.equal(error.status, 422);
      assert.deepEqual(
        error.errors.map((e) => e.pointer),
        ['/url'],
      );
      return true;
    });
    assert.equal(
      await assertWebhookUrl('HTTPS://Hooks.Example.COM:443/in', { ...strict, lookup }),
      'https://hooks.example.com/in',
    );
  });
});

describe('webhook URL rules (WEBHOOK_ALLOW_INSECURE on)', () => {
  const insecure = { allowInsecure: true };
  test('http and private or loopback hosts are allowed, for development and tests', async () => {
    for (const url of [
      'http://127.0.0.1:3000/in',
      'https://localhost/in',
      'http://[::1]:8080/',
      'http://10.0.0.1/',
    ])
      assert.equal(await webhookUrlRefusal(url, insecure), undefined, url);
  });
  test('the form rules still apply', async () => {
    assert.match((await webhookUrlRefusal('http://u:p@127.0.0.1/', insecure)) ?? '', /credentials/);
    assert.match((await webhookUrlRefusal('http://127.0.0.1/#x', insecure)) ?? '', /fragment/);
    assert.match((await webhookUrlRefusal('file:///etc/passwd', insecure)) ?? '', /http or https/);
  });
});

describe('address classification', () => {
  test('special-purpose IPv4 and IPv6 ranges are refused, public ones are not', () => {
    const cases: [string, string | undefined][] = [
      ['8.8.8.8', undefined],
      ['172.15.255.255', undefined],
      ['172.32.0.1', undefined],
      ['100.64.0.1', 'a shared (carrier-grade NAT) address'],
      ['198.18.0.1', 'a benchmarking address'],
      ['255.255.255.255', 'a reserved or broadcast address'],
      ['2606:4700:4700::1111', undefined],
      ['64:ff9b::10.0.0.1', 'a private address'], // NAT64 reaches the embedded IPv4 address
      ['2002:a00:1::1', 'a private address'], // 6to4 embeds 10.0.0.1
      ['2001:db8::1', 'a documentation address'],
      ['fec0::1', 'a reserved address'], // deprecated site-local (RFC 3879)
      ['::127.0.0.1', 'a reserved address'], // deprecated IPv4-compatible form
      ['fe80::1%eth0', 'a link-local address'],
    ];
    for (const [address, expected] of cases) assert.equal(addressRefusal(address), expected, address);
  });
});
