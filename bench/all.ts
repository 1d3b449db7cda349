/** `npm run bench`: bench:poll then bench:serve, one after the other (they would compete for the two cores). */
import { benchPoll } from './poll-cycle.js';
import { benchServe } from './serve-load.js';

await benchPoll();
await benchServe();
