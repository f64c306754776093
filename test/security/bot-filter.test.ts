import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BotFilterSettings, createBotFilter, validPattern } from '../../src/security/index.ts';
import { resolveSettings } from '../../src/tenants/index.ts';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SAFARI_IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const BOTS = {
  curl: 'curl/8.5.0',
  python: 'python-requests/2.31.0',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
};

const settings = (bot_filter: Partial<BotFilterSettings> = {}): BotFilterSettings =>
  resolveSettings({ bot_filter }).bot_filter;

const refused = (fn: () => void) =>
  assert.throws(fn, (error: unknown) => {
    const e = error as { code?: string; status?: number };
    return e.code === 'IAM_ERR_BOT_DETECTED' && e.status === 403;
  });

describe('bot filter', () => {
  test('automation user agents and a missing one are refused', () => {
    const filter = createBotFilter();
    for (const ua of [...Object.values(BOTS), '', '   ', undefined]) {
      refused(() => filter.check(ua, settings()));
    }
  });

  test('browser user agents pass', () => {
    const filter = createBotFilter();
    for (const ua of [FIREFOX, CHROME, SAFARI_IOS]) filter.check(ua, settings());
  });

  test('a disabled filter lets everything through', () => {
    const filter = createBotFilter();
    for (const ua of [...Object.values(BOTS), undefined]) filter.check(ua, settings({ enabled: false }));
  });

  test("a tenant allow pattern overrides isbot (the tenant's own SDK or monitor)", () => {
    const filter = createBotFilter();
    const tenant = settings({ allow: ['^python-requests/', '^AcmeMonitor/\\d'] });
    filter.check(BOTS.python, tenant);
    filter.check('AcmeMonitor/2.0', tenant);
    refused(() => filter.check(BOTS.curl, tenant));
  });

  test('a tenant deny pattern refuses a browser user agent', () => {
    const filter = createBotFilter();
    const tenant = settings({ deny: ['Firefox/1[0-2]\\d\\.'] });
    refused(() => filter.check(FIREFOX, tenant));
    filter.check(CHROME, tenant);
  });

  test('allow wins over deny', () => {
    const filter = createBotFilter();
    filter.check(FIREFOX, settings({ allow: ['Gecko/'], deny: ['Firefox'] }));
  });

  test('an invalid or dangerous tenant pattern is ignored at runtime', () => {
    const filter = createBotFilter();
    // Patterns that do not compile, or could backtrack badly, are skipped; the valid ones still apply.
    filter.check(FIREFOX, settings({ deny: ['(unclosed', '[z-a]', '(a+)+$'] }));
    refused(() => filter.check(FIREFOX, settings({ deny: ['(unclosed', 'Firefox'] })));
    refused(() => filter.check(BOTS.curl, settings({ allow: ['(curl'] })));
  });

  test('a very long user agent does not hang, even with a polynomial pattern', () => {
    const filter = createBotFilter();
    const long = `${FIREFOX} ${'a'.repeat(200_000)}`;
    // Tenant patterns see only the first 256 characters, and costlier ones are ignored.
    filter.check(long, settings({ deny: ['a*a*b$', 'a*a*a*b$', '^(a|b)*c$', `${'a?'.repeat(40)}b`] }));
    refused(() => filter.check(long, settings({ deny: ['a*a*b$', 'Firefox'] })));
    refused(() => filter.check('a'.repeat(100_000), settings()));
  });

  test('refusals are counted per tenant and reason and logged without the full header', () => {
    const lines: Record<string, unknown>[] = [];
    const log = { info: (entry: object) => lines.push(entry as Record<string, unknown>) };
    const filter = createBotFilter();
    const secretish = `${BOTS.python} token=${'s'.repeat(100)}`;
    refused(() => filter.check(secretish, settings(), { tenant: 'acme', log }));
    refused(() => filter.check(BOTS.curl, settings(), { tenant: 'acme', log }));
    refused(() => filter.check(undefined, settings(), { tenant: 'globex', log }));
    filter.check(FIREFOX, settings(), { tenant: 'acme', log });
    const counts = filter
      .blockedCounts()
      .sort((a, b) => (a.tenant + a.reason).localeCompare(b.tenant + b.reason));
    assert.deepEqual(counts, [
      { tenant: 'acme', reason: 'automation', count: 2 },
      { tenant: 'globex', reason: 'missing_user_agent', count: 1 },
    ]);
    assert.equal(lines.length, 3);
    assert.deepEqual(lines[0], {
      tenant: 'acme',
      reason: 'automation',
      ua_prefix: secretish.slice(0, 32),
      ua_hash: lines[0]?.ua_hash,
    });
    assert.match(String(lines[0]?.ua_hash), /^[0-9a-f]{12}$/);
    assert.ok(!JSON.stringify(lines).includes('s'.repeat(40)));
  });

  test('the compiled-pattern cache stays bounded and every answer stays right', () => {
    const filter = createBotFilter({ maxCachedLists: 2 });
    for (let i = 0; i < 20; i += 1) {
      refused(() => filter.check(FIREFOX, settings({ deny: [`Firefox/${i}|Firefox`] })));
      filter.check(FIREFOX, settings({ deny: [`Nothing${i}`] }));
    }
  });
});

describe('validPattern', () => {
  test('accepts ordinary user-agent patterns', () => {
    for (const source of [
      '^python-requests/',
      'AcmeSDK/\\d+\\.\\d+',
      '(?:Firefox|Chrome)/\\d+',
      '^Mozilla/5\\.0 \\(compatible; UptimeRobot/2\\.0',
      '(\\d{1,3}\\.){3}\\d{1,3}',
      '\\p{L}+bot',
      '(?<name>Acme)Bot',
      '(?i:acme)',
      '.*bot.*',
      'Firefox/\\d+(\\.\\d+)?',
      'Acme(?:SDK|CLI)/\\d+',
    ]) {
      assert.equal(validPattern(source), true, source);
    }
  });

  test('refuses patterns that do not compile, are too long, or can backtrack exponentially', () => {
    for (const source of [
      '',
      '(unclosed',
      '[z-a]',
      'a{2,1}',
      'x'.repeat(201),
      '(a+)+$',
      '(a*)*b',
      '(a|ab)*c',
      '(?:x+y?)+z',
      '((a|b)c)*',
      '(a)\\1',
      '(a{1,3})+',
      'a*a*a*b',
      '\\d+.*\\d+.*x',
      `${'a?'.repeat(30)}${'a'.repeat(30)}`,
    ]) {
      assert.equal(validPattern(source), false, source);
    }
  });
});
