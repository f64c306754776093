import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request ids: a trusted proxy's `X-Request-Id` is kept so one id follows the request end to end;
 * anyone else's is replaced, so a client cannot forge log correlation or inject into logs.
 */
export function requestIdGenerator(isTrustedProxy: (address: string | undefined) => boolean) {
  return (req: IncomingMessage): string => {
    const given = req.headers['x-request-id'];
    if (typeof given === 'string' && SAFE_ID.test(given) && isTrustedProxy(req.socket.remoteAddress))
      return given;
    return randomUUID();
  };
}
