/**
 * Trains the same-event pair model from labeled story files and writes src/dedup/pair-model.json.
 *
 *   npx tsx scripts/train-dedup.ts [FILE.jsonl ...] [--cv] [--folds 5] [--out PATH] [--corrections PAIRS.jsonl]
 *
 * --cv first cross-validates BY STORY: each fold's stories are held out of training, the whole file is
 * replayed through the real ingest path with that fold's model, and only pairs touching held-out items
 * are scored, in both replay orders. --corrections adds a curator's judgements (`npm run corrections:export`)
 * to the final training set, each pair weighed by the features the ingest path would compute for it.
 */
import { DEFAULT_REFERENCE_TERMS } from '../src/dedup/term-statistics.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitWithUsage, parseCommandLine, positiveIntOption, readInputFile } from '../src/cli/cli-args.js';
import { DEFAULT_BOOSTING, fitBoostedTrees, type Example } from './fit-boosted-trees.js';
import type { PairModel } from '../src/dedup/pair-model.js';
import { LexicalSimilarity, MODEL_FEATURES } from '../src/dedup/similarity.js';
import { candidatePairs, type LabeledPair } from './dedup-pairs.js';
import { jsonOption, parseDedupOption, readLabeledOrExit, replay, score, type LabeledItem, type ReplayOrder } from './dedup-replay.js';
import { correctionExamples } from './correction-examples.js';

const DEFAULT_FILE = join(import.meta.dirname, '../../shared/data/stories/allsides_neus_triplets_sample.jsonl');
const COMMAND = {
  name: 'newsmerge train:dedup',
  usage: 'Usage: npm run train:dedup [-- FILE.jsonl ...] [--cv] [--folds N] [--orders published,feeds] [--out PATH] [--corrections PAIRS.jsonl] [--reference none|shipped] [--dedup JSON] [--boosting JSON]',
  description: `Trains the same-event pair model on labeled JSON Lines files (default ${DEFAULT_FILE}) and writes it to --out (default src/dedup/pair-model.json).
--cv cross-validates by story first; --corrections adds pairs from \`npm run corrections:export\`.
--reference none (default) replays with the install's own term counts, as the shipped model was trained;
--reference shipped blends in src/dedup/reference-terms.json as a new install does (see docs/merging.md).`,
};
const { values, positionals } = parseCommandLine(COMMAND, {
  cv: { type: 'boolean', default: false },
  folds: { type: 'string', default: '5' },
  out: { type: 'string', default: join(import.meta.dirname, '../src/dedup/pair-model.json') },
  orders: { type: 'string', default: 'published,feeds' },
  dedup: { type: 'string', default: '{}' },
  boosting: { type: 'string', default: '{}' },
  corrections: { type: 'string' },
  reference: { type: 'string', default: 'none' },
});
const files = positionals.length ? positionals : [DEFAULT_FILE];
const folds = positiveIntOption(COMMAND, 'folds', values.folds!);
if (folds < 2) exitWithUsage(COMMAND, '--folds takes at least 2');
const orders = values.orders!.split(',');
for (const order of orders) if (order !== 'published' && order !== 'feeds') exitWithUsage(COMMAND, `--orders takes published and/or feeds, not "${order}"`);
// --dedup '{"joinThreshold":0.7}' overrides the shipped defaults, to try thresholds under cross-validation.
const dedup = parseDedupOption(COMMAND, values.dedup!);
if (values.reference !== 'none' && values.reference !== 'shipped') exitWithUsage(COMMAND, `--reference takes none or shipped, not "${values.reference}"`);
const reference = values.reference === 'none' ? null : DEFAULT_REFERENCE_TERMS;

/** A stable fold for a story, so that a story's items are never split between training and test. */
function foldOf(cluster: string, folds: number): number {
  let h = 2166136261;
  for (let i = 0; i < cluster.length; i++) h = Math.imul(h ^ cluster.charCodeAt(i), 16777619);
  return (h >>> 0) % folds;
}

const boosting = { ...DEFAULT_BOOSTING, ...(jsonOption(COMMAND, 'boosting', values.boosting!) as Partial<typeof DEFAULT_BOOSTING>) };

/** The curator pairs of --corrections; a missing file or a line that is not a pair is a usage error. */
function correctionExamplesOrExit(file: string): Example[] {
  readInputFile(COMMAND, file);
  try {
    return correctionExamples(file);
  } catch (err) {
    exitWithUsage(COMMAND, (err as Error).message);
  }
}

function train(pairs: readonly Example[]): PairModel {
  return fitBoostedTrees(pairs, MODEL_FEATURES, boosting);
}

function crossValidate(items: LabeledItem[], pairs: LabeledPair[], folds: number): void {
  const fold = items.map((i) => foldOf(i.cluster, folds));
  for (const order of orders as ReplayOrder[]) {
    const sum = { tp: 0, predicted: 0, actual: 0, bp: 0, br: 0, n: 0 };
    for (let f = 0; f < folds; f++) {
      const model = train(pairs.filter((p) => fold[p.a] !== f && fold[p.b] !== f));
      const { storyOf } = replay(items, { order, dedup, similarity: new LexicalSimilarity(model), reference });
      const held = new Set(items.filter((_, i) => fold[i] === f).map((i) => i.id));
      const s = score(items, storyOf, held);
      sum.tp += s.pairs.truePositive;
      sum.predicted += s.pairs.predicted;
      sum.actual += s.pairs.actual;
      sum.bp += s.bcubed.precision * s.items;
      sum.br += s.bcubed.recall * s.items;
      sum.n += s.items;
      console.log(`  fold ${f} (${order}): pairwise P ${s.pairwise.precision.toFixed(3)} R ${s.pairwise.recall.toFixed(3)} F1 ${s.pairwise.f1.toFixed(3)}`);
    }
    const p = sum.tp / sum.predicted;
    const r = sum.tp / sum.actual;
    const bp = sum.bp / sum.n;
    const br = sum.br / sum.n;
    console.log(`cross-validated by story, ${folds} folds, --order ${order}: pairwise P ${p.toFixed(3)} R ${r.toFixed(3)} F1 ${((2 * p * r) / (p + r)).toFixed(3)}; B-cubed P ${bp.toFixed(3)} R ${br.toFixed(3)} F1 ${((2 * bp * br) / (bp + br)).toFixed(3)}`);
  }
}

const items = files.flatMap((f) => readLabeledOrExit(COMMAND, f));
const pairs = candidatePairs(items, dedup, reference);
const positives = pairs.filter((p) => p.label === 1).length;
console.log(`${items.length} items, ${pairs.length} candidate pairs (${positives} same-event)`);
if (values.cv) crossValidate(items, pairs, folds);
const corrections = values.corrections ? correctionExamplesOrExit(values.corrections) : [];
if (values.corrections) console.log(`${corrections.length} curator pairs (${corrections.filter((p) => p.label === 1).length} same-event) from ${values.corrections}`);
const model = train([...pairs, ...corrections]);
model.trainedOn = { files: files.map((f) => f.split('/').pop()), items: items.length, pairs: pairs.length, positives, boosting, reference: values.reference, ...(values.corrections ? { corrections: corrections.length } : {}) };
writeFileSync(values.out!, `${JSON.stringify(model)}\n`);
console.log(`wrote ${values.out}`);
