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

/** One serving process: builds the app, listens, and drains on SIGTERM/SIGINT. */
async function serve(config: Config): Promise<void> {
  // Loaded here, not at the top: a cluster primary only supervises and never needs the app in memory.
  const { buildApp } = await import('./app.ts');
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

/** With WORKERS > 1 the primary prepares once, then keeps that many serving workers alive. */
function supervise(config: Config, log: pino.Logger): void {
  let stopping = false;
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
  if (cluster.isWorker) return serve(config);
  const log = pino(loggerOptions(config.LOG_LEVEL));
  try {
    await prepare(config, log);
  } catch (error) {
    log.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
  if (config.WORKERS > 1) return supervise(config, log);
  return serve(config);
}

await main();
