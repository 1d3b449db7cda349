/** `npm run bench`: bench:poll, bench:serve and bench:restart, one after the other (they would compete for the two cores). */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { benchPoll } from './poll-cycle.js';
import { benchServe } from './serve-load.js';

await benchPoll();
await benchServe();
spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'restart.ts')], { stdio: 'inherit' });
