import { loadEnv } from './config/env.js';
import { ConfigError, loadConfigFile } from './config/load-config.js';
import { createLogger } from './logger.js';
import { startNewsmerge, type Newsmerge } from './newsmerge.js';
import { StoreError } from './store/open-database.js';
import { readVersion } from './version.js';

const SHUTDOWN_DEADLINE_MS = 1_800;

async function main(): Promise<void> {
  let env;
  let config;
  try {
    env = loadEnv();
    config = loadConfigFile(env.configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`newsmerge: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(env.logLevel);
  let app: Newsmerge;
  try {
    app = await startNewsmerge({ env, config, logger, version: readVersion() });
  } catch (err) {
    const known = err instanceof StoreError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    logger.fatal({ err }, known ? (err as Error).message : 'newsmerge failed to start');
    process.exit(1);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    try {
      app.reload();
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'config reload rejected; the running config is kept');
    }
  });
}

void main();
