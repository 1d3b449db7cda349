import type { TermProfile } from './item-profile.js';
import { termId, type TermWeights } from './term-vector.js';

/** How much more a headline term weighs than a lede term in the combined vector. */
export const TITLE_BOOST = 2;

/** How many of an item's rarest terms count as its key terms. */
export const KEY_TERMS = 5;

/**
 * The runs of term ids a weighed item holds, in order. The first four are weighted vectors (ids sorted, each
 * with its weight); the others are sorted id sets.
 */
export const Run = {
  Title: 0,
  Lede: 1,
  /** Headline (boosted) and lede together. */
  All: 2,
  NameVector: 3,
  Names: 4,
  Numbers: 5,
  /** The item's rarest terms: what an article about the same event almost always repeats. */
  KeyTerms: 6,
} as const;
/** One of the runs (see Run). */
export type Run = (typeof Run)[keyof typeof Run];

const RUNS = 7;
const VECTORS = 4;

/**
 * An item ready to be compared: its profile weighed with the document frequencies of the moment. Packed in
 * two typed arrays: the window keeps thousands of weighed items, and a dozen arrays and objects of their own
 * each cost more memory than the numbers in them (about 4 KB an item against 1.7 KB packed).
 */
export interface WeighedItem {
  readonly publishedAt: number;
  /** Who published it: items of one outlet are rarely two reports of one event. */
  readonly outlet: string;
  /** Where each run ends (RUNS numbers), then the runs of term ids (32-bit hashes), one after the other. */
  readonly ids: Int32Array;
  /**
   * The weight of each id of the vector runs (`weights[k - RUNS]` for `ids[k]`), then the IDF of each term of
   * the combined vector, in its order, then the four vectors' norms.
   */
  readonly weights: Float64Array;
}

/** Where a run starts in `ids`. */
function runStart(item: WeighedItem, run: Run): number {
  return run === 0 ? RUNS : item.ids[run - 1]!;
}

/** Number of ids in a run. */
export function runLength(item: WeighedItem, run: Run): number {
  return item.ids[run]! - runStart(item, run);
}

function norm(item: WeighedItem, vector: Run): number {
  return item.weights[item.weights.length - VECTORS + vector]!;
}

/** Cosine of the angle between vector run `ra` of `a` and `rb` of `b`; 0 when either is empty. */
export function cosine(a: WeighedItem, ra: Run, b: WeighedItem, rb: Run): number {
  const na = norm(a, ra);
  const nb = norm(b, rb);
  if (na === 0 || nb === 0) return 0;
  const ai = a.ids;
  const bi = b.ids;
  const aw = a.weights;
  const bw = b.weights;
  const aEnd = ai[ra]!;
  const bEnd = bi[rb]!;
  let i = runStart(a, ra);
  let j = runStart(b, rb);
  let dot = 0;
  while (i < aEnd && j < bEnd) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) dot += aw[i++ - RUNS]! * bw[j++ - RUNS]!;
    else if (x < y) i++;
    else j++;
  }
  return dot / (na * nb);
}

/** Number of ids run `ra` of `a` and run `rb` of `b` share. */
export function sharedCount(a: WeighedItem, ra: Run, b: WeighedItem, rb: Run): number {
  const ai = a.ids;
  const bi = b.ids;
  const aEnd = ai[ra]!;
  const bEnd = bi[rb]!;
  let i = runStart(a, ra);
  let j = runStart(b, rb);
  let n = 0;
  while (i < aEnd && j < bEnd) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return n;
}

/** Summed and largest IDF of the terms two items share (as `a` was weighed). */
export function sharedRarity(a: WeighedItem, b: WeighedItem): [number, number] {
  const ai = a.ids;
  const bi = b.ids;
  const aStart = runStart(a, Run.All);
  const aEnd = ai[Run.All]!;
  const bEnd = bi[Run.All]!;
  // The IDFs of `all` follow the vectors' weights, in the order of its ids.
  const idfAt = ai[Run.NameVector]! - RUNS - aStart;
  let i = aStart;
  let j = runStart(b, Run.All);
  let sum = 0;
  let max = 0;
  while (i < aEnd && j < bEnd) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) {
      const w = a.weights[idfAt + i]!;
      sum += w;
      if (w > max) max = w;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return [sum, max];
}

/** A vector being built: sorted ids with their weights. */
interface DraftVector {
  ids: number[];
  weights: number[];
  norm: number;
}

/** Sorted ids with their weights, repeated ids (hash collisions) added up. */
function draftOf(ids: readonly number[], weightOf: (slot: number) => number, order: readonly number[]): DraftVector {
  const outIds: number[] = [];
  const outWeights: number[] = [];
  for (const slot of order) {
    const w = weightOf(slot);
    if (w === 0) continue;
    const id = ids[slot]!;
    if (outIds.length > 0 && outIds[outIds.length - 1] === id) outWeights[outWeights.length - 1]! += w;
    else {
      outIds.push(id);
      outWeights.push(w);
    }
  }
  let sum = 0;
  for (const w of outWeights) sum += w * w;
  return { ids: outIds, weights: outWeights, norm: Math.sqrt(sum) };
}

/** Sorted distinct ids of terms (a set that intersects by merging). */
function draftSet(terms: readonly string[]): number[] {
  return [...new Set(terms.map(termId))].sort((a, b) => a - b);
}

const sublinear = (tf: number) => (tf === 0 ? 0 : 1 + Math.log(tf));

/** Weighs a profile's terms with the current IDFs (sublinear TF-IDF; headline boosted in the combined vector). */
export function weighItem(profile: TermProfile, publishedAt: number, outlet: string, weights: TermWeights): WeighedItem {
  // One slot per distinct term with its id, IDF and counts: an item is weighed once, then compared many times.
  const slots = new Map<string, number>();
  const terms: string[] = [];
  const ids: number[] = [];
  const idfs: number[] = [];
  const titleTf: number[] = [];
  const ledeTf: number[] = [];
  const nameTf: number[] = [];
  const slotOf = (term: string): number => {
    let slot = slots.get(term);
    if (slot === undefined) {
      slot = terms.length;
      slots.set(term, slot);
      terms.push(term);
      ids.push(termId(term));
      idfs.push(weights.idf(term));
      titleTf.push(0);
      ledeTf.push(0);
      nameTf.push(0);
    }
    return slot;
  };
  for (const term of profile.title) titleTf[slotOf(term)]!++;
  for (const term of profile.lede) ledeTf[slotOf(term)]!++;
  for (const term of profile.names) nameTf[slotOf(term)]!++;
  const order = ids.map((_, slot) => slot).sort((a, b) => ids[a]! - ids[b]!);
  const vectors = [
    draftOf(ids, (s) => sublinear(titleTf[s]!) * idfs[s]!, order),
    draftOf(ids, (s) => sublinear(ledeTf[s]!) * idfs[s]!, order),
    draftOf(ids, (s) => (sublinear(titleTf[s]!) * TITLE_BOOST + sublinear(ledeTf[s]!)) * idfs[s]!, order),
    draftOf(ids, (s) => sublinear(nameTf[s]!) * idfs[s]!, order),
  ];
  const content = order.filter((s) => titleTf[s]! + ledeTf[s]! > 0);
  const idfById = new Map(content.map((s) => [ids[s]!, idfs[s]!]));
  const rarest = [...content].sort((x, y) => idfs[y]! - idfs[x]! || (terms[x]! < terms[y]! ? -1 : 1)).slice(0, KEY_TERMS);
  const sets = [draftSet(profile.names), draftSet(profile.numbers), draftSet(rarest.map((s) => terms[s]!))];
  const runs = [...vectors.map((v) => v.ids), ...sets];
  const packedIds = new Int32Array(RUNS + runs.reduce((n, run) => n + run.length, 0));
  let at = RUNS;
  runs.forEach((run, i) => {
    packedIds.set(run, at);
    at += run.length;
    packedIds[i] = at;
  });
  const all = vectors[Run.All]!;
  const packedWeights = new Float64Array(vectors.reduce((n, v) => n + v.weights.length, 0) + all.ids.length + VECTORS);
  at = 0;
  for (const v of vectors) {
    packedWeights.set(v.weights, at);
    at += v.weights.length;
  }
  packedWeights.set(
    all.ids.map((id) => idfById.get(id) ?? 0),
    at,
  );
  packedWeights.set(
    vectors.map((v) => v.norm),
    packedWeights.length - VECTORS,
  );
  return { publishedAt, outlet, ids: packedIds, weights: packedWeights };
}
