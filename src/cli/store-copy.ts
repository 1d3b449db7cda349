/**
 * What the commands that copy out of the database (backup, corrections:export) share: an output file that
 * must not exist yet, and the store of NEWSMERGE_DATA opened read-only, each failing with one line (exit 1).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { exitWithUsage, parseCommandLine, type CommandUsage } from './cli-args.js';
import { loadEnv } from '../config/env.js';
import { ConfigError } from '../config/load-config.js';
import { StoreError } from '../store/open-database.js';
import { openStore, type Store } from '../store/store.js';

/** The command's one output file (absolute) and the store opened read-only; null after saying why not. */
export function openForCopy(command: CommandUsage, missing: string): { file: string; store: Store } | null {
  const target = parseCommandLine(command, {}, { maxPositionals: 1 }).positionals[0];
  if (!target) exitWithUsage(command, missing);
  const file = resolve(target);
  if (existsSync(file)) {
    process.stderr.write(`${command.name}: ${file} already exists; choose a new file name\n`);
    return null;
  }
  try {
    return { file, store: openStore(loadEnv().dataDir, { readonly: true }) };
  } catch (err) {
    if (err instanceof StoreError || err instanceof ConfigError) {
      process.stderr.write(`${command.name}: ${err.message}\n`);
      return null;
    }
    throw err;
  }
}
