/**
 * A sparse weighted term vector: term ids (32-bit hashes of the terms) in increasing order with their
 * weights, and its length. Sorted ids make a dot product one linear merge, which matters: every new item
 * is compared with dozens of candidates.
 */
export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
  norm: number;
}

/** The id of a term: a 32-bit FNV-1a hash (at newsroom vocabulary sizes, collisions are negligible). */
export function termId(term: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    hash ^= term.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** Inverse document frequency of a term seen in `df` of `docs` documents; unseen terms count as rare. */
export function inverseDocumentFrequency(df: number, docs: number): number {
  return Math.log((docs + 1) / (df + 1)) + 1;
}

/** Term weights of the moment: the IDF of each term under the current document frequencies. */
export interface TermWeights {
  idf(term: string): number;
  /** Number of documents the frequencies count. */
  readonly documentCount: number;
}

/** Term weights from fixed document frequencies (training, tests). */
export function fixedTermWeights(df: ReadonlyMap<string, number>, documentCount: number): TermWeights {
  return { idf: (term) => inverseDocumentFrequency(df.get(term) ?? 0, documentCount), documentCount };
}

/** Builds a vector from (id, weight) pairs, adding up repeated ids. */
export function sparseVector(entries: Iterable<readonly [number, number]>): SparseVector {
  const sums = new Map<number, number>();
  for (const [id, w] of entries) sums.set(id, (sums.get(id) ?? 0) + w);
  const ids = Int32Array.from(sums.keys()).sort();
  const weights = Float64Array.from(ids, (id) => sums.get(id)!);
  let sum = 0;
  for (const w of weights) sum += w * w;
  return { ids, weights, norm: Math.sqrt(sum) };
}

/** Cosine of the angle between two vectors; 0 when either is empty. */
export function cosine(a: SparseVector, b: SparseVector): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const ai = a.ids;
  const bi = b.ids;
  let i = 0;
  let j = 0;
  let dot = 0;
  while (i < ai.length && j < bi.length) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) dot += a.weights[i++]! * b.weights[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return dot / (a.norm * b.norm);
}

/** Number of ids two sorted sets share. */
export function sharedCount(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return n;
}
