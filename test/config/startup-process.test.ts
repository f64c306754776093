import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BROWSER_USER_AGENT } from '../support/browser.ts';
import { freePort, startMain, waitForOk } from '../support/process.ts';

describe('the process', () => {
  test('an invalid configuration exits 1 with one message listing every problem', async () => {
    const run = startMain({ PORT: 'x', WORKERS: '-1', GATEHOUSE_TYPO: '1' });
    assert.equal(await run.exited, 1);
    const out = run.output();
    assert.match(out, /Invalid configuration:/);
    assert.match(out, /PORT: must be integer/);
    assert.match(out, /WORKERS: must be >= 1/);
    assert.match(out, /warning: unknown configuration key: GATEHOUSE_TYPO/);
  });

  test('production refuses to start on development defaults', async () => {
    const run = startMain({ NODE_ENV: 'production' });
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /KEY_ENCRYPTION_SECRET is empty.*refused in production/);
    assert.match(run.output(), /SMTP_URL is empty.*refused in production/);
  });

  test('first start bootstraps and prints a generated administrator password once; SIGTERM drains and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-main-'));
    const port = await freePort();
    const first = startMain({
      DATA_DIR: dataDir,
      PORT: String(port),
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_ITERATIONS: '1',
    });
    await waitForOk(`http://127.0.0.1:${port}/healthz`);
    const password = /Generated password \(shown once\): (\S+)/.exec(first.output())?.[1];
    assert.ok(password, first.output());
    const login = await fetch(`http://127.0.0.1:${port}/t/platform/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': BROWSER_USER_AGENT },
      body: JSON.stringify({ email: 'admin@gatehouse.local', password }),
    });
    assert.equal(login.status, 200);
    const docs = await fetch(`http://127.0.0.1:${port}/docs/`);
    assert.equal(docs.status, 200);
    // The password goes to the console once and never into a log line.
    assert.equal(first.output().split(password).length - 1, 1);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = startMain({ DATA_DIR: dataDir, PORT: String(port) });
    await waitForOk(`http://127.0.0.1:${port}/healthz`);
    assert.doesNotMatch(second.output(), /Generated password/);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });

  test('WORKERS=2 serves from two processes and replaces a worker that dies', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-'));
    const port = await freePort();
    const run = startMain({
      DATA_DIR: dataDir,
      PORT: String(port),
      WORKERS: '2',
      GATEHOUSE_ADMIN_PASSWORD: 'a long enough password',
    });
    await waitForOk(`http://127.0.0.1:${port}/healthz`);
    const pids = () =>
      [...run.output().matchAll(/"pid":(\d+)[^\n]*Server listening/g)].map((m) => Number(m[1]));
    for (let i = 0; i < 50 && pids().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(new Set(pids()).size, 2);
    process.kill(pids()[0] as number, 'SIGKILL');
    for (let i = 0; i < 100 && pids().length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(pids().length, 3, 'a new worker started');
    await waitForOk(`http://127.0.0.1:${port}/healthz`);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });
});
