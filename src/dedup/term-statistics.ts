import { isCommonTerm } from './choose-story.js';
import { inverseDocumentFrequency, type TermWeights } from './term-vector.js';

/**
 * Document frequencies as one ingest batch sees them: the stored counts from before the batch plus the
 * batch's own new items, all counted up front, so that every item of a first poll is weighed alike
 * whatever order it is clustered in. Pure: whoever holds the store loads the stored counts of the terms it
 * is about to weigh (missing(), then learn()); a term never loaded counts only its batch occurrences.
 */
export class TermStatistics implements TermWeights {
  /** Stored counts loaded so far (they do not change during a batch). */
  private readonly stored = new Map<string, number>();
  private readonly inBatch = new Map<string, number>();
  private readonly idfs = new Map<string, number>();
  private readonly documents: number;

  /** `storedDocuments` counts the store before the batch's items are indexed; `batchTerms` holds each new item's distinct terms. */
  constructor(storedDocuments: number, batchTerms: ReadonlyArray<readonly string[]> = []) {
    for (const terms of batchTerms) for (const term of terms) this.inBatch.set(term, (this.inBatch.get(term) ?? 0) + 1);
    this.documents = storedDocuments + batchTerms.length;
  }

  /** Number of documents, the batch's included. */
  get documentCount(): number {
    return this.documents;
  }

  /** The terms among these whose stored counts are not loaded yet (each once). */
  missing(terms: Iterable<string>): string[] {
    const out: string[] = [];
    let seen: Set<string> | null = null;
    for (const term of terms) {
      if (this.stored.has(term) || seen?.has(term)) continue;
      (seen ??= new Set()).add(term);
      out.push(term);
    }
    return out;
  }

  /** Takes in stored counts (absent ones: never seen). */
  learn(terms: readonly string[], stored: ReadonlyMap<string, number>): void {
    for (const term of terms) if (!this.stored.has(term)) this.stored.set(term, stored.get(term) ?? 0);
  }

  /** Document frequency of a term. */
  df(term: string): number {
    return (this.stored.get(term) ?? 0) + (this.inBatch.get(term) ?? 0);
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
