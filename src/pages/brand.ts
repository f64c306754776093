import type { FastifyInstance } from 'fastify';
import type { TenantSettings } from '../tenants/index.ts';

// A tenant's look on its pages: an accent colour and a logo, read from `hosted_pages.accent_color`
// and `hosted_pages.logo_url`. Both are checked again here, whatever the settings schema allowed,
// because they end up in a stylesheet and a CSP: only a plain hex colour and an https URL pass.

export interface Branding {
  /** `#rrggbb`. */
  accent?: string;
  /** An https URL; its origin joins the page's `img-src`. */
  logoUrl?: string;
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

function httpsUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.username === '' && url.password === '' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function brandingOf(settings: TenantSettings | null | undefined): Branding {
  const pages: Record<string, unknown> = settings?.hosted_pages ?? {};
  const accent = typeof pages.accent_color === 'string' && HEX_COLOUR.test(pages.accent_color);
  const logoUrl = httpsUrl(pages.logo_url);
  return {
    ...(accent ? { accent: pages.accent_color as string } : {}),
    ...(logoUrl ? { logoUrl } : {}),
  };
}

/** The tenant's stylesheet: custom properties only, so it cannot restyle anything else. */
export const brandCss = (branding: Branding): string =>
  branding.accent ? `:root {\n  --accent: ${branding.accent};\n}\n` : '';

/**
 * `/t/{tenant}/brand.css`, linked by every page of a tenant with an accent colour: a stylesheet from
 * this origin, where an inline `style` attribute would need `'unsafe-inline'` in the CSP. Cached
 * briefly, since a settings change should show within minutes.
 */
export function brandRoutes(app: FastifyInstance): void {
  app.get(
    '/t/:tenant/brand.css',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(brandCss(brandingOf(request.tenantSettings))),
  );
}
