import type { EmailContent, Translation } from './email-contexts.ts';
import { escapeHtml } from './escape-html.ts';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Lays out one email twice, as plain text and as HTML, from the same words. */
export function layoutEmail(
  content: EmailContent,
  chrome: Pick<Translation, 'greeting' | 'signOff' | 'linkFallback'>,
  lang: string,
  names: { recipient: string | undefined; tenant: string },
): RenderedEmail {
  const greeting = chrome.greeting(names.recipient);
  const signOff = chrome.signOff(names.tenant);
  const after = content.after ?? [];
  const action = content.action;

  const text = [
    greeting,
    ...content.paragraphs,
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...after,
    signOff,
  ].join('\n\n');

  const p = (line: string) => `<p>${escapeHtml(line)}</p>`;
  const html = [
    '<!doctype html>',
    `<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5; color: #222;">',
    p(greeting),
    ...content.paragraphs.map(p),
    ...(action
      ? [
          `<p><a href="${escapeHtml(action.url)}" style="display: inline-block; padding: 8px 16px; background: #1a56db; color: #fff; text-decoration: none; border-radius: 4px;">${escapeHtml(action.label)}</a></p>`,
          `<p style="font-size: 12px; color: #555;">${escapeHtml(chrome.linkFallback)}<br>${escapeHtml(action.url)}</p>`,
        ]
      : []),
    ...after.map(p),
    p(signOff),
    '</body></html>',
  ].join('\n');

  // A subject is a header: a line break in a tenant name must not start a new one.
  return { subject: content.subject.replace(/[\r\n]+/g, ' '), text: `${text}\n`, html: `${html}\n` };
}
