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

const RUNS = Object.keys(Run).length;
/** The runs that are weighted vectors: Title, Lede, All, NameVector. */
const VECTORS = Run.Names;

/**
 * An item ready to be compared: its profile weighed with the document frequencies of the moment. Packed in
 * two typed arrays: the window keeps thousands of weighed items, and a dozen arrays and objects of their own
 * each cost more memory than the numbers in them (2.9 KB an item, against 1.7 KB packed).
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

const sublinear = (tf: number) => (tf === 0 ? 0 : 1 + Math.log(tf));

/** Sorted distinct ids (a set that intersects by merging). */
function idSet(ids: Iterable<number>): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * Weighs a profile's terms with the current IDFs (sublinear TF-IDF; headline boosted in the combined vector).
 * Every candidate not held in memory is weighed again (a first poll weighs a million), so the four vectors
 * are built in one pass over the terms in id order; a repeated id (a hash collision) adds up its weights.
 */
export function weighItem(profile: TermProfile, publishedAt: number, outlet: string, weights: TermWeights): WeighedItem {
  // One slot per distinct term with its id, IDF and counts.
  const slots = new Map<string, number>();
  const terms: string[] = [];
  const ids: number[] = [];
  const idfs: number[] = [];
  const titleTf: number[] = [];
  const ledeTf: number[] = [];
  const nameTf: number[] = [];
  const count = (list: readonly string[], into: number[]) => {
    for (const term of list) {
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
      into[slot]!++;
    }
  };
  count(profile.title, titleTf);
  count(profile.lede, ledeTf);
  count(profile.names, nameTf);
  const order = ids.map((_, slot) => slot).sort((a, b) => ids[a]! - ids[b]!);
  const vectorIds: number[][] = [[], [], [], []];
  const vectorWeights: number[][] = [[], [], [], []];
  const allIdf: number[] = [];
  const runWeights = [0, 0, 0, 0];
  for (let k = 0; k < order.length; ) {
    const id = ids[order[k]!]!;
    runWeights.fill(0);
    let idf: number | null = null;
    for (; k < order.length && ids[order[k]!] === id; k++) {
      const s = order[k]!;
      const t = sublinear(titleTf[s]!);
      const l = sublinear(ledeTf[s]!);
      runWeights[Run.Title]! += t * idfs[s]!;
      runWeights[Run.Lede]! += l * idfs[s]!;
      runWeights[Run.All]! += (t * TITLE_BOOST + l) * idfs[s]!;
      runWeights[Run.NameVector]! += sublinear(nameTf[s]!) * idfs[s]!;
      // The IDF the combined vector's term keeps: its last headline or lede slot's.
      if (titleTf[s]! + ledeTf[s]! > 0) idf = idfs[s]!;
    }
    for (let v = 0; v < VECTORS; v++) {
      if (runWeights[v] === 0) continue;
      vectorIds[v]!.push(id);
      vectorWeights[v]!.push(runWeights[v]!);
      if (v === Run.All) allIdf.push(idf ?? 0);
    }
  }
  const content = order.filter((s) => titleTf[s]! + ledeTf[s]! > 0);
  const rarest = content.sort((x, y) => idfs[y]! - idfs[x]! || (terms[x]! < terms[y]! ? -1 : 1)).slice(0, KEY_TERMS);
  const idOf = (term: string) => ids[slots.get(term) ?? -1] ?? termId(term);
  const runs = [...vectorIds, idSet(profile.names.map(idOf)), idSet(profile.numbers.map(idOf)), idSet(rarest.map((s) => ids[s]!))];
  const packedIds = new Int32Array(RUNS + runs.reduce((n, run) => n + run.length, 0));
  let at = RUNS;
  runs.forEach((run, i) => {
    packedIds.set(run, at);
    at += run.length;
    packedIds[i] = at;
  });
  const packedWeights = new Float64Array(vectorWeights.reduce((n, w) => n + w.length, 0) + allIdf.length + VECTORS);
  at = 0;
  for (const w of [...vectorWeights, allIdf]) {
    packedWeights.set(w, at);
    at += w.length;
  }
  vectorWeights.forEach((w, v) => {
    let sum = 0;
    for (const x of w) sum += x * x;
    packedWeights[at + v] = Math.sqrt(sum);
  });
  return { publishedAt, outlet, ids: packedIds, weights: packedWeights };
}
