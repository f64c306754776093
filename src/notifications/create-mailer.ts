import { createFileMailer } from './file-mailer.ts';
import type { Mailer, MailLog } from './mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

export interface CreateMailerOptions {
  /** SMTP_URL; empty selects the development file mailer. */
  smtpUrl: string;
  /** SMTP_TLS_REJECT_UNAUTHORIZED. */
  tlsRejectUnauthorized: boolean;
  /** DATA_DIR, for the file mailer. */
  dataDir: string;
  /** NODE_ENV. */
  nodeEnv: string;
  log: Pick<MailLog, 'info'>;
}

/** SMTP when SMTP_URL is set; otherwise `.eml` files, which production refuses. */
export function createMailer(options: CreateMailerOptions): Mailer {
  if (options.smtpUrl) {
    return createSmtpMailer({ url: options.smtpUrl, tlsRejectUnauthorized: options.tlsRejectUnauthorized });
  }
  if (options.nodeEnv === 'production') {
    // In production the file mailer would leave every email, live links included, on local disk
    // while users wait for mail that never comes.
    throw new Error(
      'SMTP_URL is required in production: without it emails would be written to files under DATA_DIR/mail instead of being sent',
    );
  }
  return createFileMailer({ dataDir: options.dataDir, log: options.log });
}
