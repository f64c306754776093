import { connect, createServer, type Socket } from 'node:net';

// A loopback TCP proxy that can fail on demand, standing between the service and one dependency
// (PostgreSQL, Redis, RabbitMQ, SMTP) that other test runs share and that must never be stopped.
// To the client, `cut()` is what a restart of the dependency looks like: every open connection is
// reset and every new one is reset as soon as it is accepted, until `restore()`. `stall()` is a
// network partition instead: connections open but nothing goes through them either way. Toward the
// dependency, connections are always closed in an orderly way, so it sees a client that went away.

export interface FaultProxy {
  /** The 127.0.0.1 port clients connect to instead of the dependency's. */
  readonly port: number;
  /** Resets every live connection and resets new ones at once, until `restore()`. */
  cut(): void;
  /** Keeps connections open but forwards nothing (old and new), until `restore()`. */
  stall(): void;
  /** Forwards new connections again; connections stalled meanwhile are reset, as after a partition. */
  restore(): void;
  /** Connections refused (reset on accept) since the proxy started. */
  readonly refused: number;
  close(): Promise<void>;
}

/** Closes the dependency's side: end, read and drop whatever it still sends, then let go. */
function release(upstream: Socket): void {
  upstream.removeAllListeners('data');
  upstream.on('data', () => {});
  upstream.resume();
  upstream.end();
  setTimeout(() => upstream.destroy(), 1000).unref();
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: 'forward' | 'cut' | 'stall' = 'forward';
  let refused = 0;
  // Each client socket with the upstream socket it is piped to (absent for a client accepted
  // while stalled, which never got one).
  const live = new Map<Socket, Socket | undefined>();

  const drop = (client: Socket) => {
    if (!live.has(client)) return;
    const upstream = live.get(client);
    live.delete(client);
    client.destroy();
    if (upstream) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      release(upstream);
    }
  };

  const server = createServer({ noDelay: true }, (client) => {
    client.on('error', () => {});
    if (mode === 'cut') {
      refused += 1;
      client.resetAndDestroy();
      return;
    }
    live.set(client, undefined);
    client.once('close', () => drop(client));
    if (mode === 'stall') {
      client.pause();
      return;
    }
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    live.set(client, upstream);
    upstream.on('error', () => {});
    upstream.once('close', () => drop(client));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  const resetAll = () => {
    for (const client of [...live.keys()]) {
      client.resetAndDestroy();
      drop(client);
    }
  };

  return {
    port,
    get refused() {
      return refused;
    },
    cut() {
      mode = 'cut';
      resetAll();
    },
    stall() {
      mode = 'stall';
      for (const [client, upstream] of live) {
        if (!upstream) continue;
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore() {
      // A partition that heals leaves the connections it froze broken.
      if (mode === 'stall') resetAll();
      mode = 'forward';
    },
    async close() {
      mode = 'cut';
      for (const client of [...live.keys()]) drop(client);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
