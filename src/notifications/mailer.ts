// The mailer port: the notifier hands over a finished message and does not care how it travels.
// Adapters: SMTP (smtp-mailer.ts) in production, `.eml` files (file-mailer.ts) in development.

export interface MailAddress {
  name?: string;
  address: string;
}

export interface MailMessage {
  to: MailAddress;
  from: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** Extra headers, such as `X-Gatehouse-Event-Id`, so a delivered mail can be traced to its event. */
  headers?: Readonly<Record<string, string>>;
}

export interface Mailer {
  /** Resolves once the message is handed over; rejects when it was not, so the queue retries. */
  send(message: MailMessage): Promise<void>;
  /** Closes pooled connections; the mailer is not used afterwards. */
  close?(): Promise<void>;
}

/** The part of a pino logger the notifier uses, so tests can pass a plain recorder. */
export interface MailLog {
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}
