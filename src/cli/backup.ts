/**
 * `npm run backup -- FILE`: writes a consistent copy of the database with SQLite's online backup API,
 * safe while the server runs and polls (the copy is a snapshot; writers are never blocked for long).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { exitWithUsage, parseCommandLine } from './cli-args.js';
import { loadEnv } from '../config/env.js';
import { ConfigError } from '../config/load-config.js';
import { StoreError } from '../store/open-database.js';
import { openStore } from '../store/store.js';

const COMMAND = {
  name: 'newsmerge backup',
  usage: 'Usage: npm run backup -- FILE',
  description: 'Copies the database in NEWSMERGE_DATA (default ./data) to FILE while the server may be running.',
};

async function main(): Promise<number> {
  const target = parseCommandLine(COMMAND, {}, { maxPositionals: 1 }).positionals[0];
  if (!target) exitWithUsage(COMMAND, 'name the FILE to write the copy to');
  const file = resolve(target);
  if (existsSync(file)) {
    process.stderr.write(`newsmerge backup: ${file} already exists; choose a new file name\n`);
    return 1;
  }
  let store;
  try {
    store = openStore(loadEnv().dataDir, { readonly: true });
  } catch (err) {
    if (err instanceof StoreError || err instanceof ConfigError) {
      process.stderr.write(`newsmerge backup: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  try {
    const started = Date.now();
    const { bytes } = await store.backup(file);
    process.stdout.write(`Backed up ${(bytes / 1e6).toFixed(1)} MB to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`newsmerge backup: cannot write ${file}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    store.close();
  }
}

process.exitCode = await main();
