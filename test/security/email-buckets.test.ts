import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin } from '../support/fixtures.ts';
import { problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

// Routes that mail someone: password-forgot and verification resend are limited per address.
for (const variant of VARIANTS) {
  describe(`routes that send email are rate limited (${variant})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant, { env: { RATE_LIMIT_ENABLED: 'true' } });
      await createTenantWithAdmin(t, 'acme');
    });
    after(() => t.close());

    for (const [path, bucket] of [
      ['password/forgot', 'password_forgot'],
      ['verify-email/resend', 'email_resend'],
    ] as const) {
      test(`${path}: five a minute from one address`, async () => {
        const send = () =>
          t.app.inject({
            method: 'POST',
            url: `/t/acme/v1/auth/${path}`,
            payload: { email: 'victim@example.test' },
          });
        for (let i = 1; i <= 5; i++) {
          const res = await send();
          assert.equal(res.statusCode, 202, `request ${i}: ${res.body}`);
          assert.equal(res.headers['ratelimit-policy'], `"${bucket}";q=5;w=60`);
        }
        const refused = await send();
        problemOf(refused, 429, 'IAM_ERR_RATE_LIMITED');
        assert.ok(Number(refused.headers['retry-after']) > 0);
      });
    }
  });
}
