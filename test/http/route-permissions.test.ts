import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startTestApp } from '../support/test-app.ts';

describe('route permissions', () => {
  test('a route without a declared permission stops the service from starting', async () => {
    await assert.rejects(
      startTestApp('sqlite', { extend: (app) => app.get('/test/unprotected', async () => 'open') }),
      /GET \/test\/unprotected must declare config.permission/,
    );
  });

  test('a route declaring a permission missing from the catalogue is refused too', async () => {
    await assert.rejects(
      startTestApp('sqlite', {
        extend: (app) => app.get('/test/typo', { config: { permission: 'tenant:creat' } }, async () => 'x'),
      }),
      /must declare config.permission from the catalogue \(got tenant:creat\)/,
    );
  });

  test('every registered route of the service passes that check', async () => {
    const t = await startTestApp('sqlite');
    await t.close();
  });
});
