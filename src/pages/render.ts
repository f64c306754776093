import type { FastifyReply, FastifyRequest } from 'fastify';
import { brandingOf } from './brand.ts';
import { layout, type PageFrame } from './layout.ts';

// Only plain origins may join the policy (the settings schema checks them too): no `;` or spaces.
const PLAIN_ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/;

export interface CspOptions {
  /** The tenant's `return_to` origins (see below). */
  redirectOrigins?: readonly string[];
  /** The page runs the captcha solver: a script from this origin that fetches its challenge here. */
  script?: boolean;
  /** The origin of the tenant's logo. */
  imageOrigin?: string | undefined;
}

/**
 * The pages' policy replaces the API's: styles from this origin only, forms post only here, nothing
 * frames them, and no script runs except the captcha solver from this origin on the pages that carry
 * it. Browsers apply `form-action` to the redirects that follow a form post too, so the tenant's
 * listed `return_to` origins join it: otherwise the 303 after a successful sign-in would be blocked.
 */
export function pageCsp(options: CspOptions = {}): string {
  const plain = (origins: readonly (string | undefined)[]) =>
    origins.filter((o): o is string => o !== undefined && PLAIN_ORIGIN.test(o)).map((o) => ` ${o}`);
  return [
    "default-src 'none'",
    ...(options.script ? ["script-src 'self'", "connect-src 'self'"] : []),
    "style-src 'self'",
    `img-src 'self' data:${plain([options.imageOrigin]).join('')}`,
    `form-action 'self'${plain(options.redirectOrigins ?? []).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The policy of a page with no tenant extras and no script. */
export const PAGE_CSP = pageCsp();

// Replies whose page loads the captcha solver; the CSP is written once the reply is sent.
const scripted = new WeakSet<FastifyReply>();

/** The policy for this reply: the tenant's origins, its logo, and the script when the page has one. */
export function cspFor(request: FastifyRequest, reply: FastifyReply): string {
  const logoUrl = request.tenant ? brandingOf(request.tenantSettings).logoUrl : undefined;
  return pageCsp({
    redirectOrigins: request.tenant ? request.tenantSettings.hosted_pages.allowed_redirect_origins : [],
    script: scripted.has(reply),
    imageOrigin: logoUrl ? new URL(logoUrl).origin : undefined,
  });
}

/** A page's frame: its title, under the tenant's name. */
export const frameOf = (request: FastifyRequest, title: string) => ({
  title,
  tenantName: request.tenant!.displayName,
});

export function sendPage(reply: FastifyReply, status: number, frame: PageFrame): FastifyReply {
  if (frame.captcha) scripted.add(reply);
  const request = reply.request;
  const branding = request.tenant ? brandingOf(request.tenantSettings) : {};
  return reply.code(status).type('text/html; charset=utf-8').send(layout(frame, branding));
}

/** After a POST, always a GET of the next page (303), so reloading never re-submits the form. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.redirect(location, 303);
}
