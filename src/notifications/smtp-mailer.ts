import type { Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from './mailer.ts';
import { toNodemailer } from './nodemailer-message.ts';

export interface SmtpMailerOptions {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://…` (TLS from the first byte). */
  url: string;
  /** SMTP_TLS_REJECT_UNAUTHORIZED: refuse a certificate that does not verify. */
  tlsRejectUnauthorized: boolean;
  /** Milliseconds; the defaults are short so a dead server fails the send and the queue retries later. */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  maxConnections?: number;
}

export interface SmtpEndpoint {
  host: string;
  port: number | undefined;
  secure: boolean;
  auth: { user: string; pass: string } | undefined;
}

/**
 * Reads SMTP_URL ourselves rather than letting nodemailer do it, so query parameters in the URL
 * cannot quietly override the TLS settings that come from configuration.
 */
export function parseSmtpUrl(url: string): SmtpEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('SMTP_URL is not a valid URL (expected smtp://host:port or smtps://host:port)');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//`);
  }
  if (!parsed.hostname) throw new Error('SMTP_URL has no host');
  const user = decodeURIComponent(parsed.username);
  return {
    // WHATWG URL keeps IPv6 literals bracketed; sockets want the bare address.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    // Empty port: nodemailer's defaults, 587 for smtp:// and 465 for smtps://.
    port: parsed.port ? Number(parsed.port) : undefined,
    secure: parsed.protocol === 'smtps:',
    auth: user ? { user, pass: decodeURIComponent(parsed.password) } : undefined,
  };
}

export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const endpoint = parseSmtpUrl(options.url);
  // nodemailer is loaded with the first message: most processes never send one, and it is among
  // the largest modules the service would otherwise hold in memory.
  let transport: Promise<Transporter> | undefined;
  const open = async () =>
    (await import('nodemailer')).createTransport({
      pool: true,
      host: endpoint.host,
      ...(endpoint.port === undefined ? {} : { port: endpoint.port }),
      secure: endpoint.secure,
      ...(endpoint.auth ? { auth: endpoint.auth } : {}),
      // Plain smtp:// upgrades with STARTTLS whenever the server offers it (nodemailer's default);
      // a certificate that fails verification fails the send instead of falling back to plaintext.
      tls: { rejectUnauthorized: options.tlsRejectUnauthorized },
      maxConnections: options.maxConnections ?? 5,
      // One quick retry covers a pooled connection the server dropped while idle; anything beyond
      // that is the queue's job, with its backoff and dead letters.
      maxRequeues: 1,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 30_000,
    });
  return {
    async send(message: MailMessage) {
      transport ??= open();
      await (await transport).sendMail(toNodemailer(message));
    },
    async close() {
      (await transport)?.close();
    },
  };
}
