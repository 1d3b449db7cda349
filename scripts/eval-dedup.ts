/**
 * Measures story clustering on a labeled JSON Lines file through the code path the poller uses
 * (storeEntries on a temporary SQLite database, then the periodic merge).
 *
 *   npx tsx scripts/eval-dedup.ts FILE.jsonl [--order published|feeds] [--json] [--repeat N]
 *
 * Lines are {id, cluster, source, title, summary, url, published} (extra fields ignored; `cluster` is only
 * read by the scoring). --order feeds replays outlet by outlet, as a first poll brings them; --repeat
 * replays N copies of the file, each shifted after the last, to measure speed and memory at scale.
 */
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/config-schema.js';
import { readLabeled, repeatShifted, replay, score, type ReplayOrder } from './dedup-replay.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    order: { type: 'string', default: 'published' },
    json: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    'feeds-per-batch': { type: 'string', default: '1' },
    'cycle-minutes': { type: 'string', default: '60' },
    dedup: { type: 'string', default: '{}' },
  },
});
const file = positionals[0];
if (!file || (values.order !== 'published' && values.order !== 'feeds')) {
  console.error('usage: eval-dedup FILE.jsonl [--order published|feeds] [--json] [--repeat N]');
  process.exit(2);
}
// --dedup '{"joinThreshold":0.7}' overrides the shipped defaults (the "dedup" object of feeds.config.json).
const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { t: { title: 't' } }, feeds: [], dedup: JSON.parse(values.dedup!) }).dedup;
const items = repeatShifted(readLabeled(file), Number(values.repeat), 2 * dedup.window);
const result = replay(items, {
  order: values.order as ReplayOrder,
  dedup,
  feedsPerBatch: Number(values['feeds-per-batch']),
  cycleMs: Number(values['cycle-minutes']) * 60_000,
});
const scores = score(items, result.storyOf);
const report = {
  items: scores.items,
  pairwise: scores.pairwise,
  bcubed: scores.bcubed,
  itemsPerSecond: Math.round(items.length / result.seconds),
  stories: new Set(result.storyOf.values()).size,
  storiesMerged: result.merged,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  rssMbAt: result.rssMbAt,
  liveHeapMbAt: result.liveHeapMbAt,
};
if (values.json) {
  console.log(JSON.stringify(report));
} else {
  const f = (x: number) => x.toFixed(3);
  console.log(`${file} (--order ${values.order}${Number(values.repeat) > 1 ? `, ${values.repeat} shifted copies` : ''})`);
  console.log(`items ${report.items}, stories ${report.stories} (${report.storiesMerged} merged by the periodic pass)`);
  console.log(`pairwise  precision ${f(scores.pairwise.precision)}  recall ${f(scores.pairwise.recall)}  F1 ${f(scores.pairwise.f1)}`);
  console.log(`B-cubed   precision ${f(scores.bcubed.precision)}  recall ${f(scores.bcubed.recall)}  F1 ${f(scores.bcubed.f1)}`);
  console.log(`speed     ${report.itemsPerSecond} items/s (${result.seconds.toFixed(1)} s), peak RSS ${report.peakRssMb} MB`);
  const checkpoints = Object.entries(report.rssMbAt).map(([n, mb]) => `${n}: ${mb} MB`);
  if (checkpoints.length > 0) console.log(`memory    RSS after items stored: ${checkpoints.join(', ')}`);
  const live = Object.entries(report.liveHeapMbAt).map(([n, mb]) => `${n}: ${mb} MB`);
  if (live.length > 0) console.log(`          live JS heap after items stored: ${live.join(', ')}`);
}
