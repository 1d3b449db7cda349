import type { ItemProfile } from './item-profile.js';
import { cosine, sharedCount, termId, type SparseVector, type TermWeights } from './term-vector.js';

/** How much more a headline term weighs than a lede term in the combined vector. */
export const TITLE_BOOST = 2;

/** How many of an item's rarest terms count as its key terms. */
export const KEY_TERMS = 5;

/** An item ready to be compared: its profile weighed with the document frequencies of the moment. */
export interface WeighedItem {
  profile: ItemProfile;
  publishedAt: number;
  /** Who published it: items of one outlet are rarely two reports of one event. */
  outlet: string;
  title: SparseVector;
  lede: SparseVector;
  /** Headline (boosted) and lede together. */
  all: SparseVector;
  /** IDF of each term of `all`, aligned with its ids. */
  allIdf: Float64Array;
  titleTerms: Int32Array;
  names: Int32Array;
  numbers: Int32Array;
  /** The item's rarest terms: what an article about the same event almost always repeats. */
  keyTerms: Int32Array;
  nameVector: SparseVector;
}

/** A vector being built: sorted ids with their weights, in plain arrays until the item is packed. */
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

/** Sorted distinct ids of terms (a set that intersects by merging), in a plain array. */
function draftSet(terms: readonly string[]): number[] {
  return [...new Set(terms.map(termId))].sort((a, b) => a - b);
}

/**
 * Lays an item's vectors and id sets out in one Int32Array and one Float64Array, handing out views of
 * them: a weighed item is kept for many comparisons, and a dozen typed arrays of their own cost more
 * memory than the numbers in them.
 */
class ItemLayout {
  private readonly ids: Int32Array;
  private readonly weights: Float64Array;
  private idAt = 0;
  private weightAt = 0;

  constructor(idCount: number, weightCount: number) {
    this.ids = new Int32Array(idCount);
    this.weights = new Float64Array(weightCount);
  }

  idView(values: readonly number[]): Int32Array {
    this.ids.set(values, this.idAt);
    this.idAt += values.length;
    return this.ids.subarray(this.idAt - values.length, this.idAt);
  }

  weightView(values: readonly number[]): Float64Array {
    this.weights.set(values, this.weightAt);
    this.weightAt += values.length;
    return this.weights.subarray(this.weightAt - values.length, this.weightAt);
  }

  vector(draft: DraftVector): SparseVector {
    return { ids: this.idView(draft.ids), weights: this.weightView(draft.weights), norm: draft.norm };
  }
}

const sublinear = (tf: number) => (tf === 0 ? 0 : 1 + Math.log(tf));

/** Weighs a profile's terms with the current IDFs (sublinear TF-IDF; headline boosted in the combined vector). */
export function weighItem(profile: ItemProfile, publishedAt: number, outlet: string, weights: TermWeights): WeighedItem {
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
  const title = draftOf(ids, (s) => sublinear(titleTf[s]!) * idfs[s]!, order);
  const lede = draftOf(ids, (s) => sublinear(ledeTf[s]!) * idfs[s]!, order);
  const all = draftOf(ids, (s) => (sublinear(titleTf[s]!) * TITLE_BOOST + sublinear(ledeTf[s]!)) * idfs[s]!, order);
  const nameVector = draftOf(ids, (s) => sublinear(nameTf[s]!) * idfs[s]!, order);
  const content = order.filter((s) => titleTf[s]! + ledeTf[s]! > 0);
  const idfById = new Map(content.map((s) => [ids[s]!, idfs[s]!]));
  const rarest = [...content].sort((x, y) => idfs[y]! - idfs[x]! || (terms[x]! < terms[y]! ? -1 : 1)).slice(0, KEY_TERMS);
  const allIdf = all.ids.map((id) => idfById.get(id) ?? 0);
  const names = draftSet(profile.names);
  const numbers = draftSet(profile.numbers);
  const keyTerms = draftSet(rarest.map((s) => terms[s]!));
  const vectors = [title, lede, all, nameVector];
  const layout = new ItemLayout(
    vectors.reduce((n, v) => n + v.ids.length, 0) + names.length + numbers.length + keyTerms.length,
    vectors.reduce((n, v) => n + v.weights.length, 0) + allIdf.length,
  );
  const titleVector = layout.vector(title);
  return {
    profile,
    publishedAt,
    outlet,
    title: titleVector,
    lede: layout.vector(lede),
    all: layout.vector(all),
    allIdf: layout.weightView(allIdf),
    titleTerms: titleVector.ids,
    names: layout.idView(names),
    numbers: layout.idView(numbers),
    keyTerms: layout.idView(keyTerms),
    nameVector: layout.vector(nameVector),
  };
}

/** The names of the pair features, in the order pairFeatures returns them (the model file names them too). */
export const PAIR_FEATURES = [
  'cosTitle',
  'cosLede',
  'cosAll',
  'cosCross',
  'sharedNames',
  'nameOverlap',
  'sharedNumbers',
  'sharedRare',
  'maxSharedIdf',
  'sharedTitleTerms',
  'hoursApart',
  'topTermCoverage',
  'cosNames',
] as const;

/** One named feature of a pair. */
export type PairFeatureName = (typeof PAIR_FEATURES)[number];

function coverage(keyTerms: Int32Array, other: SparseVector): number {
  return keyTerms.length === 0 ? 0 : sharedCount(keyTerms, other.ids) / keyTerms.length;
}

/** Summed and largest IDF of the terms two items share (as `a` was weighed). */
function sharedRarity(a: WeighedItem, b: WeighedItem): [number, number] {
  const ai = a.all.ids;
  const bi = b.all.ids;
  let i = 0;
  let j = 0;
  let sum = 0;
  let max = 0;
  while (i < ai.length && j < bi.length) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) {
      const w = a.allIdf[i]!;
      sum += w;
      if (w > max) max = w;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return [sum, max];
}

/**
 * Describes how alike two items are, as numbers a pair model weighs: cosines of headline, lede, both and
 * across (one's headline against the other's lede), shared names and numbers, the rarity of shared terms,
 * how many of each one's key terms the other has, and the time between them.
 */
export function pairFeatures(a: WeighedItem, b: WeighedItem): number[] {
  const [sharedRare, maxSharedIdf] = sharedRarity(a, b);
  const sharedNames = sharedCount(a.names, b.names);
  const fewerNames = Math.min(a.names.length, b.names.length);
  return [
    cosine(a.title, b.title),
    cosine(a.lede, b.lede),
    cosine(a.all, b.all),
    Math.max(cosine(a.title, b.lede), cosine(a.lede, b.title)),
    Math.log1p(sharedNames),
    fewerNames === 0 ? 0 : sharedNames / fewerNames,
    Math.log1p(sharedCount(a.numbers, b.numbers)),
    Math.log1p(sharedRare),
    maxSharedIdf,
    Math.log1p(sharedCount(a.titleTerms, b.titleTerms)),
    Math.log1p(Math.abs(a.publishedAt - b.publishedAt) / 3_600_000),
    Math.min(coverage(a.keyTerms, b.all), coverage(b.keyTerms, a.all)),
    cosine(a.nameVector, b.nameVector),
  ];
}
