import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, publicUrl } from '../../src/config/index.ts';

const SECRET = Buffer.alloc(32, 7).toString('base64');

describe('configuration', () => {
  test('defaults give a working development configuration', () => {
    const { config, warnings } = loadConfig({});
    assert.equal(config.PORT, 8080);
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.DATA_DIR, './data');
    assert.equal(config.WORKERS, 1);
    assert.equal(config.DATABASE_URL, '');
    assert.equal(publicUrl(config), 'http://localhost:8080');
    assert.deepEqual(warnings, []);
    assert.ok(Object.isFrozen(config));
  });

  test('environment values are converted to their declared types', () => {
    const { config } = loadConfig({
      PORT: '9001',
      DATABASE_MIGRATE_ON_START: 'true',
      PUBLIC_URL: 'https://id.example.com/',
    });
    assert.equal(config.PORT, 9001);
    assert.equal(config.DATABASE_MIGRATE_ON_START, true);
    assert.equal(publicUrl(config), 'https://id.example.com');
  });

  test('every invalid key is reported at once', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        NODE_ENV: 'prod',
        WORKERS: '0',
        DATABASE_URL: 'mysql://x',
        KEY_ENCRYPTION_SECRET: 'short',
      });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const keys = error.problems.map((p) => p.split(':')[0]);
      for (const key of ['PORT', 'NODE_ENV', 'WORKERS', 'DATABASE_URL', 'KEY_ENCRYPTION_SECRET'])
        assert.ok(keys.includes(key), key);
      assert.match(error.message, /NODE_ENV: must be one of development, production, test/);
    }
  });

  test('production refuses the insecure development defaults, naming each', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 2 &&
        /KEY_ENCRYPTION_SECRET/.test(error.problems[0] ?? '') &&
        /SMTP_URL/.test(error.problems[1] ?? ''),
    );
    const { config } = loadConfig({
      NODE_ENV: 'production',
      KEY_ENCRYPTION_SECRET: SECRET,
      SMTP_URL: 'smtp://mail:25',
    });
    assert.equal(config.NODE_ENV, 'production');
  });

  test('unknown keys of this service are warned about, other variables ignored', () => {
    const { warnings } = loadConfig({
      GATEHOUSE_ADMIN_EMALE: 'x',
      DATABASE_URI: 'y',
      HOME: '/root',
      PATH: '/bin',
    });
    assert.deepEqual(warnings, [
      'unknown configuration key: GATEHOUSE_ADMIN_EMALE',
      'unknown configuration key: DATABASE_URI',
    ]);
  });

  test('a JSON or YAML file supplies values; the environment wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    const yaml = join(dir, 'gatehouse.yaml');
    writeFileSync(yaml, 'PORT: 7000\nWORKERS: 2\nTYPO_KEY: 1\n');
    const fromYaml = loadConfig({ CONFIG_FILE: yaml, WORKERS: '3' });
    assert.equal(fromYaml.config.PORT, 7000);
    assert.equal(fromYaml.config.WORKERS, 3);
    assert.deepEqual(fromYaml.warnings, [`unknown configuration key in ${yaml}: TYPO_KEY`]);
    const json = join(dir, 'gatehouse.json');
    writeFileSync(json, JSON.stringify({ LOG_LEVEL: 'warn' }));
    assert.equal(loadConfig({ CONFIG_FILE: json }).config.LOG_LEVEL, 'warn');
    writeFileSync(json, '[1,2]');
    assert.throws(() => loadConfig({ CONFIG_FILE: json }), ConfigError);
  });
});
