/**
 * `npm run corrections:export -- FILE.jsonl`: writes every curator correction as labeled item pairs (one JSON
 * object a line: label 1 for a merge, 0 for a split or "apart"), which `npm run train:dedup -- --corrections
 * FILE.jsonl` adds to the pair model's training data. Safe while the server runs (reads only).
 */
import { writeFileSync } from 'node:fs';
import { correctionPairs } from '../cluster/corrections.js';
import { openForCopy } from './store-copy.js';

const COMMAND = {
  name: 'newsmerge corrections:export',
  usage: 'Usage: npm run corrections:export -- FILE.jsonl',
  description: 'Writes the curator corrections in NEWSMERGE_DATA (default ./data) as labeled pairs for train:dedup.',
};

function main(): number {
  const opened = openForCopy(COMMAND, 'name the FILE.jsonl to write the pairs to');
  if (!opened) return 1;
  const { file, store } = opened;
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
