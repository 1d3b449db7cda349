import { parseCommandLine } from './cli/cli-args.js';
import { loadEnv, type Env } from './config/env.js';
import type { AppConfig } from './config/config-schema.js';
import { ConfigError, loadConfigFile } from './config/load-config.js';
import { createLogger } from './logger.js';
import { ListenError, startNewsmerge, type Newsmerge } from './newsmerge.js';
import { StoreError } from './store/open-database.js';
import { readVersion } from './version.js';

const SHUTDOWN_DEADLINE_MS = 1_800;

function loadSettings(): { env: Env; config: AppConfig } {
  try {
    const env = loadEnv();
    return { env, config: loadConfigFile(env.configPath) };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`newsmerge: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

const COMMAND = {
  name: 'newsmerge',
  usage: 'Usage: npm start  (or: node dist/main.js)',
  description: `Runs the server: polls the feeds of NEWSMERGE_CONFIG (default ./feeds.config.json) and serves merged topic feeds.
Settings come from the environment: PORT (3000), HOST (0.0.0.0), NEWSMERGE_DATA (./data), NEWSMERGE_CONFIG,
NEWSMERGE_BASE_URL, NEWSMERGE_ADMIN_TOKEN, LOG_LEVEL (info), NEWSMERGE_INGEST_MAX_HEAP_MB (512).
SIGTERM or SIGINT stops it, SIGHUP re-reads the config.`,
};

async function main(): Promise<void> {
  // The server takes no arguments: --help explains, anything else is a mistake (not silently ignored).
  parseCommandLine(COMMAND, {}, { maxPositionals: 0 });
  const { env, config } = loadSettings();
  const logger = createLogger(env.logLevel);
  let app: Newsmerge | null = null;
  let stopping = false;

  // Handlers go in before start-up: a signal that arrives while starting must not hit the default action.
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    (app ? app.close() : Promise.resolve()).then(
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
    if (!app) return void logger.warn('SIGHUP during start-up ignored');
    try {
      app.reload();
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'config reload rejected; the running config is kept');
    }
  });

  try {
    app = await startNewsmerge({ env, config, logger, version: readVersion() });
  } catch (err) {
    // A known cause needs one clear line, not a stack trace; a busy port says which variable to set, in words.
    if (err instanceof ListenError) process.stderr.write(`newsmerge: ${err.message}\n`);
    else if (err instanceof StoreError) logger.fatal((err as Error).message);
    else logger.fatal({ err }, 'newsmerge failed to start');
    process.exit(1);
  }
  if (stopping) await app.close();
}

void main();
