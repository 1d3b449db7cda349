/** `npm run bench`: bench:poll, bench:serve and bench:restart, one after the other (they would compete for the two cores). */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { benchPoll } from './poll-cycle.js';
import { benchServe } from './serve-load.js';
import { parseCommandLine } from '../src/cli/cli-args.js';

parseCommandLine(
  { name: 'newsmerge bench', usage: 'Usage: npm run bench', description: 'Runs bench:poll, bench:serve and bench:restart one after the other and prints each figure against its aim.' },
  {},
  { maxPositionals: 0 },
);

await benchPoll();
await benchServe();
spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'restart.ts')], { stdio: 'inherit' });
