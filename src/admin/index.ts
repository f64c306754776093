import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/index.ts';
import { TenantSettingsSchema } from '../tenants/index.ts';
import { type ConsoleAsset, consoleAsset, loadConsoleAssets } from './console-assets.ts';

/**
 * Scripts, styles and API calls from this origin only; nothing inline, nothing framed. `connect-src
 * 'self'` is the API: the console has no other server.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const hidden = { config: { permission: 'public' as const }, schema: { hide: true } };

function send(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset): FastifyReply {
  // `no-cache`: browsers keep the files but revalidate them, so a release is seen at once.
  reply.header('cache-control', 'no-cache').header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}

/**
 * The administration console at /admin/: one static document and its scripts, which call the public
 * API with the signed-in administrator's token. It has no API of its own, so it can do nothing that
 * administrator could not do with curl.
 */
export const adminConsoleRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const assets = loadConsoleAssets();
  // The settings screen builds its form from the settings schema: served here, a few kilobytes,
  // rather than fetched out of the whole OpenAPI document.
  assets.set('settings-schema.json', consoleAsset(JSON.stringify(TenantSettingsSchema), '.json'));
  const shell = assets.get('console.html');
  if (shell === undefined) throw new Error('the console document is missing from src/admin/assets');
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    // `no-referrer` (the API's) would make the browser send `Origin: null` with the console's own
    // POSTs (Fetch §3.1 "append a request Origin header"), which the refresh's CSRF check refuses.
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });
  // Relative asset URLs in the document need the trailing slash.
  app.get('/admin', hidden, async (_request, reply) => reply.redirect('admin/', 308));
  app.get('/admin/', hidden, async (request, reply) => send(request, reply, shell));
  app.get<{ Params: { '*': string } }>('/admin/assets/*', hidden, async (request, reply) => {
    const asset = assets.get(request.params['*']);
    if (asset === undefined || request.params['*'] === 'console.html')
      throw new AppError('IAM_ERR_NOT_FOUND', 'There is no such console file.');
    return send(request, reply, asset);
  });
};
