import { isCommonTerm } from './choose-story.js';
import { inverseDocumentFrequency, type TermWeights } from './term-vector.js';

/** Reads stored document frequencies of terms (absent: never seen). */
export type FrequencyLookup = (terms: readonly string[]) => Map<string, number>;

/**
 * Document frequencies as one ingest batch sees them: the stored counts from before the batch plus the
 * batch's own new items, all counted up front, so that every item of a first poll is weighed alike
 * whatever order it is clustered in.
 */
export class TermStatistics implements TermWeights {
  private readonly known = new Map<string, number>();
  private readonly idfs = new Map<string, number>();
  private readonly documents: number;

  /**
   * `storedDocuments` and `lookup` describe the store before the batch's items are indexed; `batchTerms`
   * holds each new item's distinct terms. Terms of the batch are read at once, before anything is written.
   */
  constructor(storedDocuments: number, private readonly lookup: FrequencyLookup, batchTerms: ReadonlyArray<readonly string[]> = []) {
    const inBatch = new Map<string, number>();
    for (const terms of batchTerms) for (const term of terms) inBatch.set(term, (inBatch.get(term) ?? 0) + 1);
    const stored = lookup([...inBatch.keys()]);
    for (const [term, count] of inBatch) this.known.set(term, (stored.get(term) ?? 0) + count);
    this.documents = storedDocuments + batchTerms.length;
  }

  /** Number of documents, the batch's included. */
  get documentCount(): number {
    return this.documents;
  }

  /** Loads the frequencies of terms not yet known in one read (terms outside the batch do not change during it). */
  prefetch(terms: Iterable<string>): void {
    const missing = [...new Set(terms)].filter((t) => !this.known.has(t));
    if (missing.length === 0) return;
    const stored = this.lookup(missing);
    for (const term of missing) this.known.set(term, stored.get(term) ?? 0);
  }

  /** Document frequency of a term. */
  df(term: string): number {
    let value = this.known.get(term);
    if (value === undefined) {
      value = this.lookup([term]).get(term) ?? 0;
      this.known.set(term, value);
    }
    return value;
  }

  /** Whether a term is too common to look candidates up by. */
  readonly isCommon = (term: string): boolean => isCommonTerm(this.df(term), this.documents);

  /** Inverse document frequency of a term. */
  readonly idf = (term: string): number => {
    let value = this.idfs.get(term);
    if (value === undefined) {
      value = inverseDocumentFrequency(this.df(term), this.documents);
      this.idfs.set(term, value);
    }
    return value;
  };
}
