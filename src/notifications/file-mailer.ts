import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Mailer, MailLog, MailMessage } from './mailer.ts';
import { toNodemailer } from './nodemailer-message.ts';

export interface FileMailerOptions {
  /** DATA_DIR; messages go to `<dataDir>/mail/`. */
  dataDir: string;
  log: Pick<MailLog, 'info'>;
}

/**
 * Development mailer: every message becomes an RFC 5322 `.eml` file (open it in any mail client),
 * and the log names the file and its links, so a password reset can be followed without a mail
 * server. Nothing else from the message is logged.
 */
export function createFileMailer(options: FileMailerOptions): Mailer {
  const directory = resolve(options.dataDir, 'mail');
  // Loaded with the first message, as the SMTP mailer does. CRLF line ends, as RFC 5322 asks of a
  // message on the wire and mail clients expect of `.eml`.
  let composer: Promise<Transporter> | undefined;
  const open = async () =>
    (await import('nodemailer')).createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(message: MailMessage) {
      composer ??= open();
      const info = await (await composer).sendMail(toNodemailer(message));
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const file = resolve(directory, mailFileName(new Date()));
      // 0600 and 'wx': the file holds live links, and a name is never reused.
      await writeFile(file, info.message as Buffer, { mode: 0o600, flag: 'wx' });
      options.log.info({ file, links: linksIn(message.text) }, 'email written to file (development mailer)');
    },
  };
}

/** `2025-01-31T09-15-02.123Z-3f9a1c2b.eml`: sorts by time; the random part keeps names apart. */
export function mailFileName(now: Date): string {
  return `${now.toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.eml`;
}

export function linksIn(text: string): string[] {
  return [...new Set(text.match(/https?:\/\/[^\s<>"]+/g) ?? [])];
}
