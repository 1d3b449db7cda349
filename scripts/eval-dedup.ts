/**
 * Measures story clustering on a labeled JSON Lines file through the code path the poller uses
 * (storeEntries on a temporary SQLite database, then the periodic merge).
 *
 *   npx tsx scripts/eval-dedup.ts FILE.jsonl [--order published|feeds] [--json] [--repeat N] [--first N]
 *
 * Lines are {id, cluster, source, title, summary, url, published} (extra fields ignored; `cluster` is only
 * read by the scoring). --order feeds replays outlet by outlet, as a first poll brings them; --repeat
 * replays N copies of the file, each shifted after the last, to measure speed and memory at scale.
 * --first N evaluates only the first N lines of the file on an empty store: the cold-start curve (how an
 * install with N items merges compared with one that has seen the whole file).
 */
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/config-schema.js';
import { coverage, readLabeled, repeatShifted, replay, score, type ReplayOrder } from './dedup-replay.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    order: { type: 'string', default: 'published' },
    json: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    first: { type: 'string' },
    'feeds-per-batch': { type: 'string', default: '1' },
    'cycle-minutes': { type: 'string', default: '60' },
    dedup: { type: 'string', default: '{}' },
  },
});
const file = positionals[0];
if (!file || (values.order !== 'published' && values.order !== 'feeds')) {
  console.error('usage: eval-dedup FILE.jsonl [--order published|feeds] [--json] [--repeat N] [--first N]');
  process.exit(2);
}
const first = values.first === undefined ? Infinity : Number(values.first);
if (!(first >= 1)) {
  console.error('--first takes a positive number of items');
  process.exit(2);
}
// --dedup '{"joinThreshold":0.7}' overrides the shipped defaults (the "dedup" object of feeds.config.json).
const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { t: { title: 't' } }, feeds: [], dedup: JSON.parse(values.dedup!) }).dedup;
// The cut comes before repeating, so --first N --repeat K replays K copies of the same N items.
const items = repeatShifted(readLabeled(file).slice(0, first), Number(values.repeat), 2 * dedup.window);
const result = replay(items, {
  order: values.order as ReplayOrder,
  dedup,
  feedsPerBatch: Number(values['feeds-per-batch']),
  cycleMs: Number(values['cycle-minutes']) * 60_000,
});
const scores = score(items, result.storyOf);
const reached = coverage(items, result.storyOf, result.related);
const report = {
  items: scores.items,
  pairwise: scores.pairwise,
  bcubed: scores.bcubed,
  coverage: { recall: reached.recall, relatedPrecision: reached.relatedPrecision, relatedLinks: reached.links },
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
  const firstNote = Number.isFinite(first) ? `, first ${first} items` : '';
  console.log(`${file} (--order ${values.order}${firstNote}${Number(values.repeat) > 1 ? `, ${values.repeat} shifted copies` : ''})`);
  console.log(`items ${report.items}, stories ${report.stories} (${report.storiesMerged} merged by the periodic pass)`);
  console.log(`pairwise  precision ${f(scores.pairwise.precision)}  recall ${f(scores.pairwise.recall)}  F1 ${f(scores.pairwise.f1)}`);
  console.log(`B-cubed   precision ${f(scores.bcubed.precision)}  recall ${f(scores.bcubed.recall)}  F1 ${f(scores.bcubed.f1)}`);
  console.log(`coverage  recall ${f(reached.recall)} (same-event pairs merged or directly related)  related precision ${f(reached.relatedPrecision)} (${reached.links} links)`);
  console.log(`speed     ${report.itemsPerSecond} items/s (${result.seconds.toFixed(1)} s), peak RSS ${report.peakRssMb} MB`);
  const checkpoints = Object.entries(report.rssMbAt).map(([n, mb]) => `${n}: ${mb} MB`);
  if (checkpoints.length > 0) console.log(`memory    RSS after items stored: ${checkpoints.join(', ')}`);
  const live = Object.entries(report.liveHeapMbAt).map(([n, mb]) => `${n}: ${mb} MB`);
  if (live.length > 0) console.log(`          live JS heap after items stored: ${live.join(', ')}`);
}
