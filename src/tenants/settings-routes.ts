import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BEARER, problemResponses } from '../http/index.ts';
import { maskSettings, type SettingsService } from './settings-service.ts';
import { TenantSettingsSchema } from './tenant-settings.ts';

const tags = ['settings'];

/** A tenant's settings: `/t/{tenant}/v1/settings` (its administrators; platform operators for any). */
export const settingsRoutes: FastifyPluginAsyncTypebox<{ settings: SettingsService }> = async (
  app,
  { settings },
) => {
  // RFC 7396 names the merge-patch media type; it is JSON with the default parser's protections.
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.get(
    '/t/:tenant/v1/settings',
    {
      config: { permission: 'settings:read' },
      schema: {
        tags,
        security: BEARER,
        summary: "The tenant's settings",
        description:
          'Every setting with its effective value (defaults included); secrets read back as `********`.',
        response: { 200: TenantSettingsSchema, ...problemResponses(401, 403) },
      },
    },
    async (request) => maskSettings(request.tenantSettings),
  );

  app.patch(
    '/t/:tenant/v1/settings',
    {
      config: { permission: 'settings:update' },
      schema: {
        tags,
        security: BEARER,
        summary: "Change the tenant's settings",
        description:
          'A JSON merge patch (RFC 7396): objects merge, `null` restores the default. The result is validated whole (unknown keys, wrong types and out-of-range values are refused with their JSON pointers), recorded as `tenant.settings_changed`, and in force on every process within a second.',
        body: Type.Object({}, { additionalProperties: true, description: 'Merge patch of the settings.' }),
        response: { 200: TenantSettingsSchema, ...problemResponses(401, 403, 415, 422) },
      },
    },
    async (request) =>
      settings.patch(request.tenant!, request.body as Record<string, unknown>, request.auth!.subject),
  );
};
