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
import { exitWithUsage, parseCommandLine, positiveIntOption } from '../src/cli/cli-args.js';
import { coverage, parseDedupOption, readLabeledOrExit, repeatShifted, replay, score, type ReplayOrder } from './dedup-replay.js';

const COMMAND = {
  name: 'newsmerge eval:dedup',
  usage: 'Usage: npm run eval:dedup -- FILE.jsonl [--order published|feeds] [--json] [--repeat N] [--first N] [--feeds-per-batch N] [--cycle-minutes N] [--dedup JSON]',
  description: `Measures story merging on a labeled JSON Lines file ({id, cluster, source, title, summary, url, published} a line)
through the code path the poller uses, and prints pairwise and B-cubed precision, recall and F1.`,
};
const { values, positionals } = parseCommandLine(
  COMMAND,
  {
    order: { type: 'string', default: 'published' },
    json: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    first: { type: 'string' },
    'feeds-per-batch': { type: 'string', default: '1' },
    'cycle-minutes': { type: 'string', default: '60' },
    dedup: { type: 'string', default: '{}' },
  },
  { maxPositionals: 1 },
);
const file = positionals[0];
if (!file) exitWithUsage(COMMAND, 'name the labeled FILE.jsonl to evaluate');
if (values.order !== 'published' && values.order !== 'feeds') exitWithUsage(COMMAND, `--order takes published or feeds, not "${values.order}"`);
const first = values.first === undefined ? Infinity : positiveIntOption(COMMAND, 'first', values.first);
const repeat = positiveIntOption(COMMAND, 'repeat', values.repeat!);
const feedsPerBatch = positiveIntOption(COMMAND, 'feeds-per-batch', values['feeds-per-batch']!);
const cycleMinutes = positiveIntOption(COMMAND, 'cycle-minutes', values['cycle-minutes']!);
// --dedup '{"joinThreshold":0.7}' overrides the shipped defaults (the "dedup" object of feeds.config.json).
const dedup = parseDedupOption(COMMAND, values.dedup!);
// The cut comes before repeating, so --first N --repeat K replays K copies of the same N items.
const items = repeatShifted(readLabeledOrExit(COMMAND, file).slice(0, first), repeat, 2 * dedup.window);
const result = replay(items, {
  order: values.order as ReplayOrder,
  dedup,
  feedsPerBatch,
  cycleMs: cycleMinutes * 60_000,
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
  console.log(`${file} (--order ${values.order}${firstNote}${repeat > 1 ? `, ${repeat} shifted copies` : ''})`);
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
