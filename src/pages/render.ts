import type { FastifyReply } from 'fastify';
import { layout, type PageFrame } from './layout.ts';

/**
 * The pages' policy replaces the API's: styles from this origin only, forms post only here, nothing
 * frames them and no script runs at all (there is none to allow).
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// Only plain origins may join the policy (the settings schema checks them too): no `;` or spaces.
const PLAIN_ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/;

/**
 * Browsers apply `form-action` to the redirects that follow a form post too, so the tenant's listed
 * `return_to` origins join it: otherwise the 303 after a successful sign-in would be blocked.
 */
export function pageCsp(redirectOrigins: readonly string[]): string {
  const extra = redirectOrigins.filter((o) => PLAIN_ORIGIN.test(o));
  return extra.length === 0
    ? PAGE_CSP
    : PAGE_CSP.replace("form-action 'self'", `form-action 'self' ${extra.join(' ')}`);
}

export function sendPage(reply: FastifyReply, status: number, frame: PageFrame): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(layout(frame));
}

/** After a POST, always a GET of the next page (303), so reloading never re-submits the form. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.redirect(location, 303);
}
