import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONSOLE_CSP } from '../../src/admin/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

// The console is static files over the public API: these tests pin how they are served. What the
// console does is tested in Chromium (admin-console-browser.test.ts).

for (const variant of VARIANTS) {
  describe(`admin console files (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant);
    });
    after(() => t.close());

    const get = (url: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url, headers });

    test('/admin redirects to /admin/ so the document’s relative URLs resolve', async () => {
      const res = await get('/admin');
      assert.equal(res.statusCode, 308);
      assert.equal(res.headers.location, 'admin/');
    });

    test('the document loads one module script and one stylesheet, under the console’s strict CSP', async () => {
      const res = await get('/admin/');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['content-security-policy'], CONSOLE_CSP);
      assert.doesNotMatch(CONSOLE_CSP, /unsafe/);
      assert.equal(res.headers['referrer-policy'], 'same-origin');
      assert.match(res.body, /<script type="module" src="assets\/js\/main\.js"><\/script>/);
      // No inline script: every <script> has a src.
      assert.equal((res.body.match(/<script(?![^>]*\ssrc=)/g) ?? []).length, 0);
    });

    test('scripts and the stylesheet are served with their types and a validator', async () => {
      for (const [path, type] of [
        ['/admin/assets/js/main.js', /^text\/javascript/],
        ['/admin/assets/js/screens/events.js', /^text\/javascript/],
        ['/admin/assets/console.css', /^text\/css/],
        ['/admin/assets/settings-schema.json', /^application\/json/],
      ] as const) {
        const res = await get(path);
        assert.equal(res.statusCode, 200, path);
        assert.match(String(res.headers['content-type']), type);
        assert.equal(res.headers['cache-control'], 'no-cache');
        const etag = String(res.headers.etag);
        assert.match(etag, /^"[\w-]{27}"$/);
        const again = await get(path, { 'if-none-match': etag });
        assert.equal(again.statusCode, 304);
        assert.equal(again.body, '');
      }
    });

    test('the settings schema the settings screen builds its form from is the API’s', async () => {
      const served = (await get('/admin/assets/settings-schema.json')).json();
      const documented = (await get('/openapi.json')).json().paths['/t/{tenant}/v1/settings'].get.responses[
        '200'
      ].content['application/json'].schema;
      assert.deepEqual(Object.keys(served.properties).sort(), Object.keys(documented.properties).sort());
    });

    test('a stale validator gets the whole file', async () => {
      const res = await get('/admin/assets/console.css', { 'if-none-match': '"stale"' });
      assert.equal(res.statusCode, 200);
      assert.ok(res.body.length > 0);
    });

    test('only the console’s own files are served: unknown names and traversal are 404 problems', async () => {
      for (const path of [
        '/admin/assets/nope.js',
        '/admin/assets/console.html',
        '/admin/assets/../index.ts',
        '/admin/assets/%2e%2e/index.ts',
        '/admin/assets/js/../../index.ts',
        '/admin/assets/..%2F..%2Fapp.ts',
        '/admin/assets/js',
        '/admin/assets/',
      ]) {
        const res = await get(path);
        assert.equal(res.statusCode, 404, path);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/, path);
        assert.doesNotMatch(res.body, /import |export /, path);
      }
      problemOf(await get('/admin/assets/nope.js'), 404, 'IAM_ERR_NOT_FOUND');
    });

    test('the console has no write route of its own', async () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        const res = await t.app.inject({ method, url: '/admin/', payload: {} });
        assert.ok([404, 405].includes(res.statusCode), `${method} /admin/ answered ${res.statusCode}`);
      }
    });
  });
}
