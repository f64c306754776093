import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

// Query parameters that may carry a secret (reset and verification links, OAuth codes).
const SECRET_PARAM = /^(token|code|password|secret|client_secret|refresh_token|access_token|mfa_token|otp)$/i;

/** The URL as logged: values of secret-bearing query parameters are replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (SECRET_PARAM.test(key)) params.set(key, '[REDACTED]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

/** pino options: credentials never reach a log line, whatever the log level. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.new_password',
        '*.current_password',
        '*.token',
        '*.access_token',
        '*.refresh_token',
        '*.mfa_token',
        '*.client_secret',
        '*.secret',
        '*.otp',
        '*.totp_code',
        '*.recovery_code',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req(req: FastifyRequest) {
        return { method: req.method, url: redactUrl(req.url), remoteAddress: req.ip };
      },
    },
  };
}
