import type { MailMessage } from './mailer.ts';

/** The port's message in nodemailer's shape; shared with the file mailer so both write the same mail. */
export function toNodemailer(message: MailMessage) {
  return {
    from: { name: message.from.name, address: message.from.address },
    to: message.to.name ? { name: message.to.name, address: message.to.address } : message.to.address,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: { ...message.headers },
  };
}
