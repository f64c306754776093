import type { Branding } from './brand.ts';
import { html, type SafeHtml } from './html.ts';

export interface PageFrame {
  title: string;
  /** The tenant's display name, when the tenant is known. */
  tenantName?: string | undefined;
  body: SafeHtml;
  /** The page carries the captcha widget: it loads the solver, the only script any page runs. */
  captcha?: boolean;
}

// Every page lives at /t/{tenant}/{name}: relative URLs keep working when PUBLIC_URL has a path
// prefix that a proxy strips, and no page ever names another host (the tenant's logo aside).
const ASSETS = '../../assets';

/** The whole document around a page body: stylesheets from this origin, no inline script or style. */
export function layout(frame: PageFrame, branding: Branding = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${frame.title}${frame.tenantName ? ` · ${frame.tenantName}` : ''}</title>
<link rel="stylesheet" href="${ASSETS}/pages.css">
${branding.accent ? html`<link rel="stylesheet" href="brand.css">` : ''}
${frame.captcha ? html`<script src="${ASSETS}/captcha.js" defer></script>` : ''}
</head>
<body>
<main class="card">
${
  frame.tenantName
    ? html`<p class="tenant">${
        branding.logoUrl ? html`<img class="logo" src="${branding.logoUrl}" alt="">` : ''
      }${frame.tenantName}</p>`
    : ''
}
<h1>${frame.title}</h1>
${frame.body}
</main>
</body>
</html>
`.value;
}

/** The CSRF token every form posts back (`_csrf` is where @fastify/csrf-protection looks first). */
export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

export const errorBox = (message: string | undefined) =>
  message ? html`<p class="error" role="alert">${message}</p>` : '';

export const noticeBox = (message: string | undefined) =>
  message ? html`<p class="notice" role="status">${message}</p>` : '';

export interface InputOptions {
  label: string;
  name: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  required?: boolean;
  /** A sentence under the field that says what it expects (tied with aria-describedby). */
  hint?: string | undefined;
  /** What is wrong with this field: tied to it, announced, and the field takes the focus. */
  error?: string | undefined;
  extra?: SafeHtml;
}

/**
 * A labelled field. A field's hint and error are `<p>`s with ids derived from its name, so a page
 * must not show two fields of one name with a hint or an error at once.
 */
export function input(o: InputOptions): SafeHtml {
  const described = [o.hint ? `${o.name}-hint` : '', o.error ? `${o.name}-error` : ''].filter(Boolean);
  return html`<label>${o.label}
<input name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${
    o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''
  }${o.required === false ? '' : html` required`}${
    described.length > 0 ? html` aria-describedby="${described.join(' ')}"` : ''
  }${o.error ? html` aria-invalid="true" autofocus` : ''}${o.extra ?? ''}></label>${
    o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''
  }${o.error ? html`<p class="field-error" id="${o.name}-error">${o.error}</p>` : ''}`;
}

export const hidden = (name: string, value: string) =>
  html`<input type="hidden" name="${name}" value="${value}">`;

export const button = (text: string, kind?: 'secondary') =>
  html`<button type="submit"${kind ? html` class="${kind}"` : ''}>${text}</button>`;

export const link = (href: string, text: string) => html`<a href="${href}">${text}</a>`;

/** A page that only says something, with an optional way on. */
export const messageBody = (message: string, next?: { href: string; text: string }) =>
  html`${errorBox(message)}${next ? html`<p class="links">${link(next.href, next.text)}</p>` : ''}`;
