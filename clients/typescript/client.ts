import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.d.ts';

// A thin typed client for the Gatehouse API: openapi-fetch over the types that openapi-typescript
// generates from docs/openapi.json (`npm run docs:client`). Paths, parameters, bodies and answers
// are checked by the compiler, so a change to the API that breaks a caller breaks its build.

export type { components, operations, paths };

/** The RFC 9457 problem every error of the API (but the OAuth endpoints') answers with. */
export type Problem = components['schemas']['Problem'];

export type GatehouseClient = Client<paths>;

export interface GatehouseClientOptions extends ClientOptions {
  /** Where the service answers, e.g. `https://id.example.com` (no trailing `/t/{tenant}`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`: a token, or a function asked before every request. */
  accessToken?: string | (() => string | undefined);
}

/** A client of the whole API; tenant routes take the tenant slug as the `tenant` path parameter. */
export function createGatehouseClient(options: GatehouseClientOptions): GatehouseClient {
  const { accessToken, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  if (accessToken !== undefined) client.use(bearer(accessToken));
  return client;
}

/** Middleware adding the bearer token, unless the request already carries an `Authorization`. */
export function bearer(accessToken: string | (() => string | undefined)): Middleware {
  return {
    onRequest({ request }) {
      const token = typeof accessToken === 'function' ? accessToken() : accessToken;
      if (token && !request.headers.has('authorization'))
        request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
}
