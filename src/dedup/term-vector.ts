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
