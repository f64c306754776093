import { html, type SafeHtml } from './html.ts';

export interface PageFrame {
  title: string;
  /** The tenant's display name, when the tenant is known. */
  tenantName?: string | undefined;
  body: SafeHtml;
}

// Every page lives at /t/{tenant}/{name}: relative URLs keep working when PUBLIC_URL has a path
// prefix that a proxy strips, and no page ever names another host.
const STYLESHEET = '../../assets/pages.css';

/** The whole document around a page body: no script, one stylesheet from this origin. */
export function layout(frame: PageFrame): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${frame.title}${frame.tenantName ? ` · ${frame.tenantName}` : ''}</title>
<link rel="stylesheet" href="${STYLESHEET}">
</head>
<body>
<main class="card">
${frame.tenantName ? html`<p class="tenant">${frame.tenantName}</p>` : ''}
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
  extra?: SafeHtml;
}

export const input = (o: InputOptions) => html`<label>${o.label}
<input name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${
  o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''
}${o.required === false ? '' : html` required`}${o.extra ?? ''}></label>`;

export const hidden = (name: string, value: string) =>
  html`<input type="hidden" name="${name}" value="${value}">`;

export const button = (text: string) => html`<button type="submit">${text}</button>`;

export const link = (href: string, text: string) => html`<a href="${href}">${text}</a>`;
