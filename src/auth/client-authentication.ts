import type { FastifyRequest } from 'fastify';
import type { ClientRow, ClientService } from '../clients/index.ts';
import { OAuthError } from '../http/index.ts';

interface Credentials {
  clientId: string;
  secret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

/** RFC 6749 §2.3.1: client_id and secret are form-urlencoded before Basic encoding. */
function fromBasic(header: string): Credentials | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    return { clientId, secret, method: 'client_secret_basic' };
  } catch {
    return undefined;
  }
}

/** The credentials a request presents, if any; more than one method is an error (RFC 6749 §2.3). */
export function presentedCredentials(request: FastifyRequest): Credentials | undefined {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const header = request.headers.authorization;
  const basic = header?.startsWith('Basic ') ? fromBasic(header) : undefined;
  if (header?.startsWith('Basic ') && !basic) throw invalidClient(true);
  const postId = typeof body.client_id === 'string' ? body.client_id : undefined;
  const postSecret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
  if (basic && postSecret !== undefined)
    throw new OAuthError('invalid_request', 'Use one client authentication method, not two.');
  if (basic) return basic;
  if (postId !== undefined && postSecret !== undefined)
    return { clientId: postId, secret: postSecret, method: 'client_secret_post' };
  return undefined;
}

export function invalidClient(basic: boolean): OAuthError {
  const error = new OAuthError('invalid_client', 'Client authentication failed.');
  // RFC 6749 §5.2: a 401 after Basic authentication names the scheme to use.
  if (basic) error.challenge = 'Basic realm="gatehouse", charset="UTF-8"';
  return error;
}

/**
 * Authenticates the client when credentials are presented; with `required`, their absence is an
 * `invalid_client` too. Wrong credentials never fall back to anonymous.
 */
export async function authenticateClient(
  request: FastifyRequest,
  clients: ClientService,
  required: boolean,
): Promise<ClientRow | undefined> {
  const credentials = presentedCredentials(request);
  if (!credentials) {
    if (required) throw invalidClient(false);
    return undefined;
  }
  const client = await clients.authenticate(request.tenant!.id, credentials.clientId, credentials.secret);
  if (!client) throw invalidClient(credentials.method === 'client_secret_basic');
  return client;
}
