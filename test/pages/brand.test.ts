import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brandCss, brandingOf } from '../../src/pages/brand.ts';
import { html } from '../../src/pages/html.ts';
import { layout } from '../../src/pages/layout.ts';
import { PAGE_CSP, pageCsp } from '../../src/pages/render.ts';
import { resolveSettings, type TenantSettings } from '../../src/tenants/index.ts';

// The branding values reach a stylesheet, an <img> and the CSP, so only plain ones may pass.
const withPages = (pages: object) =>
  ({
    ...resolveSettings({}),
    hosted_pages: { allowed_redirect_origins: [], accent_color: '', logo_url: '', ...pages },
  }) as TenantSettings;

test('branding: a hex accent and an https logo pass; anything else is dropped', () => {
  assert.deepEqual(brandingOf(resolveSettings({})), {});
  assert.deepEqual(
    brandingOf(withPages({ accent_color: '#1a2B3c', logo_url: 'https://cdn.example/logo.png' })),
    {
      accent: '#1a2B3c',
      logoUrl: 'https://cdn.example/logo.png',
    },
  );
  for (const accent_color of ['red', '#fff', '#12345g', '#123456; } body { display: none', 42])
    assert.equal(brandingOf(withPages({ accent_color })).accent, undefined, String(accent_color));
  for (const logo_url of [
    'http://cdn.example/logo.png',
    'javascript:alert(1)',
    'data:image/png;base64,AA',
    '//x',
    'https://u:p@cdn.example/',
  ])
    assert.equal(brandingOf(withPages({ logo_url })).logoUrl, undefined, logo_url);
});

test('the brand stylesheet sets the accent only; the layout links it and shows the logo', () => {
  assert.equal(brandCss({}), '');
  assert.equal(brandCss({ accent: '#123456' }), ':root {\n  --accent: #123456;\n}\n');
  const page = layout(
    { title: 'Sign in', tenantName: 'Acme', body: html`` },
    { accent: '#123456', logoUrl: 'https://cdn.example/a.png' },
  );
  assert.match(page, /<link rel="stylesheet" href="brand.css">/);
  assert.match(page, /<img class="logo" src="https:\/\/cdn.example\/a.png" alt="">Acme/);
  assert.doesNotMatch(layout({ title: 'Sign in', tenantName: 'Acme', body: html`` }), /brand.css|<img/);
});

test('the page CSP: the logo origin joins img-src; the script only where asked; origins must be plain', () => {
  assert.equal(
    PAGE_CSP,
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  assert.match(
    pageCsp({ imageOrigin: 'https://cdn.example' }),
    /img-src 'self' data: https:\/\/cdn.example;/,
  );
  assert.match(pageCsp({ script: true }), /script-src 'self'; connect-src 'self';/);
  assert.equal(
    pageCsp({ redirectOrigins: ['https://a.example; script-src *'], imageOrigin: 'https://x y' }),
    PAGE_CSP,
  );
});
