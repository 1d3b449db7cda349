import { isCommonTerm } from './choose-story.js';
import { inverseDocumentFrequency, type TermWeights } from './term-vector.js';

/**
 * Document frequencies as one ingest batch sees them: the stored counts from before the batch plus the
 * batch's own new items, all counted up front, so that every item of a first poll is weighed alike
 * whatever order it is clustered in. Pure: whoever holds the store loads the counts of terms it is about to
 * weigh (missing(), then learn()); a term never loaded counts as never seen.
 */
export class TermStatistics implements TermWeights {
  private readonly known = new Map<string, number>();
  private readonly idfs = new Map<string, number>();
  private readonly documents: number;

  /**
   * `storedDocuments` counts the store before the batch's items are indexed; `batchTerms` holds each new
   * item's distinct terms, and `stored` the stored counts of those terms (missingFromBatch() names them).
   */
  constructor(storedDocuments: number, stored: ReadonlyMap<string, number> = new Map(), batchTerms: ReadonlyArray<readonly string[]> = []) {
    for (const [term, count] of countTerms(batchTerms)) this.known.set(term, (stored.get(term) ?? 0) + count);
    this.documents = storedDocuments + batchTerms.length;
  }

  /** The distinct terms of a batch, whose stored counts the constructor wants. */
  static batchVocabulary(batchTerms: ReadonlyArray<readonly string[]>): string[] {
    return [...countTerms(batchTerms).keys()];
  }

  /** Number of documents, the batch's included. */
  get documentCount(): number {
    return this.documents;
  }

  /** The terms among these whose counts are not known yet (each once). */
  missing(terms: Iterable<string>): string[] {
    return [...new Set(terms)].filter((t) => !this.known.has(t));
  }

  /** Takes in stored counts of terms outside the batch (they do not change during it); absent ones count 0. */
  learn(terms: readonly string[], stored: ReadonlyMap<string, number>): void {
    for (const term of terms) if (!this.known.has(term)) this.known.set(term, stored.get(term) ?? 0);
  }

  /** Document frequency of a term. */
  df(term: string): number {
    return this.known.get(term) ?? 0;
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

function countTerms(batchTerms: ReadonlyArray<readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const terms of batchTerms) for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
