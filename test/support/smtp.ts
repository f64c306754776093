import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  raw: Buffer;
  rcpt: string[];
  secure: boolean;
}

export interface SmtpListener {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** A real SMTP server on an ephemeral port (or `port`), keeping every message it accepts. */
export async function startSmtp(options: { starttls?: boolean; port?: number } = {}): Promise<SmtpListener> {
  const received: Received[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    hideSTARTTLS: !options.starttls,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks),
          rcpt: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port where nothing listens: connecting to it is refused. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
