/**
 * `npm run corrections:export -- FILE.jsonl`: writes every curator correction as labeled item pairs (one JSON
 * object a line: label 1 for a merge, 0 for a split or "apart"), which `npm run train:dedup -- --corrections
 * FILE.jsonl` adds to the pair model's training data. Safe while the server runs (reads only).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { correctionPairs } from '../cluster/corrections.js';
import { exitWithUsage, parseCommandLine } from './cli-args.js';
import { loadEnv } from '../config/env.js';
import { ConfigError } from '../config/load-config.js';
import { StoreError } from '../store/open-database.js';
import { openStore } from '../store/store.js';

const COMMAND = {
  name: 'newsmerge corrections:export',
  usage: 'Usage: npm run corrections:export -- FILE.jsonl',
  description: 'Writes the curator corrections in NEWSMERGE_DATA (default ./data) as labeled pairs for train:dedup.',
};

function main(): number {
  const target = parseCommandLine(COMMAND, {}, { maxPositionals: 1 }).positionals[0];
  if (!target) exitWithUsage(COMMAND, 'name the FILE.jsonl to write the pairs to');
  const file = resolve(target);
  if (existsSync(file)) {
    process.stderr.write(`newsmerge corrections:export: ${file} already exists; choose a new file name\n`);
    return 1;
  }
  let store;
  try {
    store = openStore(loadEnv().dataDir, { readonly: true });
  } catch (err) {
    if (err instanceof StoreError || err instanceof ConfigError) {
      process.stderr.write(`newsmerge corrections:export: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  try {
    const corrections = store.corrections.all();
    const pairs = correctionPairs(corrections, store.corrections.exportItems());
    writeFileSync(file, pairs.map((p) => `${JSON.stringify(p)}\n`).join(''));
    process.stdout.write(`Wrote ${pairs.length} labeled pairs from ${corrections.length} corrections to ${file}\n`);
    return 0;
  } finally {
    store.close();
  }
}

process.exitCode = main();
