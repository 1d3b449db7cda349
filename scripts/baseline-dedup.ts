/**
 * The baselines others report on the same labeled files, for comparison with eval-dedup:
 *   exact link              items whose canonical links are equal
 *   exact normalized title  items whose normalized headlines are equal
 *   title-word overlap      headlines sharing >= 3 words that make up >= 60 % of the shorter one
 *                           (distinct words of the normalized headline, stop words left out)
 * Pairs are linked within the dedup window (72 h) and closed transitively (single link).
 *
 *   npx tsx scripts/baseline-dedup.ts FILE.jsonl [--json]
 */
import { parseArgs } from 'node:util';
import { canonicalUrl } from '../src/dedup/canonical-url.js';
import { normalizeTitle } from '../src/dedup/normalize-title.js';
import { STOP_WORDS } from '../src/dedup/stop-words.js';
import { readLabeled, score, type LabeledItem } from './dedup-replay.js';

const WINDOW = 72 * 3_600_000;

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) i = this.parent[i] = this.parent[this.parent[i]!]!;
    return i;
  }
  union(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}

/** Clusters by linking every pair within the window that `linked` accepts; returns each item's cluster. */
function clusterBy(items: readonly LabeledItem[], linked: (a: number, b: number) => boolean): Map<string, number> {
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.published - items[b]!.published);
  const sets = new UnionFind(items.length);
  for (let x = 0; x < order.length; x++) {
    for (let y = x + 1; y < order.length && items[order[y]!]!.published - items[order[x]!]!.published <= WINDOW; y++) {
      if (linked(order[x]!, order[y]!)) sets.union(order[x]!, order[y]!);
    }
  }
  return new Map(items.map((item, i) => [item.id, sets.find(i)]));
}

/** Clusters by equal keys (null keys stay alone), within the window. */
function clusterByKey(items: readonly LabeledItem[], key: (item: LabeledItem) => string | null): Map<string, number> {
  const keys = items.map(key);
  return clusterBy(items, (a, b) => keys[a] !== null && keys[a] === keys[b]);
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
const file = positionals[0];
if (!file) {
  console.error('usage: baseline-dedup FILE.jsonl [--json]');
  process.exit(2);
}
const items = readLabeled(file);
const titleWords = items.map((i) => new Set(normalizeTitle(i.title).split(' ').filter((w) => w && !STOP_WORDS.has(w))));
const baselines = {
  exactLink: clusterByKey(items, (i) => canonicalUrl(i.url)),
  exactTitle: clusterByKey(items, (i) => normalizeTitle(i.title) || null),
  titleOverlap: clusterBy(items, (a, b) => {
    const [x, y] = [titleWords[a]!, titleWords[b]!];
    let shared = 0;
    for (const w of x) if (y.has(w)) shared++;
    return shared >= 3 && shared / Math.min(x.size, y.size) >= 0.6;
  }),
};
const results = Object.fromEntries(Object.entries(baselines).map(([name, clusters]) => [name, score(items, clusters)]));
if (values.json) {
  console.log(JSON.stringify(Object.fromEntries(Object.entries(results).map(([name, s]) => [name, { items: s.items, pairwise: s.pairwise, bcubed: s.bcubed }]))));
} else {
  const f = (x: number) => x.toFixed(3);
  for (const [name, s] of Object.entries(results)) {
    console.log(`${name.padEnd(13)} pairwise P ${f(s.pairwise.precision)} R ${f(s.pairwise.recall)} F1 ${f(s.pairwise.f1)}   B-cubed P ${f(s.bcubed.precision)} R ${f(s.bcubed.recall)} F1 ${f(s.bcubed.f1)}`);
  }
}
