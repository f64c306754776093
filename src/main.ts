import cluster from 'node:cluster';
import { pino } from 'pino';
import { type Config, ConfigError, loadConfig } from './config/index.ts';
import { loggerOptions } from './http/logger.ts';
import { openDatabase, prepare } from './startup.ts';
import { loadKeyEncryptionKey } from './tokens/key-encryption.ts';

function readConfig(): Config {
  try {
    const { config, warnings } = loadConfig();
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const warning of error.warnings) process.stderr.write(`warning: ${warning}\n`);
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

// The two messages of the start-up handshake between a worker and its primary.
const AWAITING = 'gatehouse:awaiting-preparation';
const PREPARED = 'gatehouse:prepared';

/** A worker's wait for its primary to have prepared the database (at once for a replacement). */
function preparedByPrimary(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: { type?: string } | null) => {
      if (message?.type !== PREPARED) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send?.({ type: AWAITING });
  });
}

/**
 * One serving process: builds the app, listens, and drains on SIGTERM/SIGINT. The app is imported
 * here, not at the top (a cluster primary only supervises and never needs it in memory), and its
 * loading starts before `ready` so that it overlaps the database preparation.
 */
async function serve(config: Config, ready: () => Promise<void>): Promise<void> {
  const loading = import('./app.ts');
  await ready();
  const { buildApp } = await loading;
  const database = openDatabase(config);
  const app = await buildApp(config, {
    database,
    keyEncryptionKey: loadKeyEncryptionKey(config.KEY_ENCRYPTION_SECRET, config.DATA_DIR),
  });
  app.addHook('onClose', async () => database.close());
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Past the timeout, in-flight requests are abandoned rather than holding the process forever.
    setTimeout(() => {
      app.log.error('shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ port: config.PORT, host: config.HOST });
}

/**
 * With WORKERS > 1 the primary keeps that many serving workers alive. It prepares the database once,
 * while the first workers load the app; each worker serves once told the preparation is done.
 */
function supervise(config: Config, log: pino.Logger, prepared: Promise<void>): void {
  let stopping = false;
  cluster.on('message', (worker, message: { type?: string } | null) => {
    if (message?.type === AWAITING)
      prepared.then(
        () => worker.send({ type: PREPARED }),
        () => {},
      );
  });
  for (let i = 0; i < config.WORKERS; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker died; starting a new one');
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 1000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  const config = readConfig();
  if (cluster.isWorker) return serve(config, preparedByPrimary);
  const log = pino(loggerOptions(config.LOG_LEVEL));
  const prepared = prepare(config, log).catch((error: unknown) => {
    log.fatal({ err: error }, 'start-up failed');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    process.exit(1);
  });
  if (config.WORKERS > 1) return supervise(config, log, prepared);
  return serve(config, () => prepared);
}

await main();
