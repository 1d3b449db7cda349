import { isCommonTerm } from './choose-story.js';
import referenceFile from './reference-terms.json' with { type: 'json' };
import { inverseDocumentFrequency, type TermWeights } from './term-vector.js';

/** Document frequencies counted over a news corpus: what a term's rarity is before an install has seen much. */
export interface ReferenceTerms {
  documents: number;
  df: ReadonlyMap<string, number>;
}

/** The reference shipped with newsmerge (src/dedup/reference-terms.json, built by scripts/build-reference-terms.ts). */
export const DEFAULT_REFERENCE_TERMS: ReferenceTerms = {
  documents: referenceFile.documents,
  df: new Map(Object.entries(referenceFile.df as Record<string, number>)),
};

/**
 * How many documents the reference counts as in an empty install: IDFs tell common words from rare ones
 * once an install holds a thousand items or so, so a new install weighs terms like one that size. Chosen by
 * measurement (eval:dedup, cold-start curve and full files; 1,000 against 2,000 and 4,000, see README).
 */
export const REFERENCE_DOCUMENTS = 1_000;

/**
 * The pseudo-documents the reference adds to an install of `documents` items: REFERENCE_DOCUMENTS at first,
 * then fewer, M²/(M + N), so its share M²/(M² + N(M + N)) falls from 1 to a third at M items and to about
 * 3% at 5M: the install's own counts, which know its outlets and topics, take over as they become
 * reliable. N + M²/(M + N) never decreases as N grows, so the blended collection never shrinks.
 */
export function referenceDocuments(documents: number): number {
  return (REFERENCE_DOCUMENTS * REFERENCE_DOCUMENTS) / (REFERENCE_DOCUMENTS + documents);
}

/**
 * Document frequencies as one ingest batch sees them: the stored counts from before the batch plus the
 * batch's own new items, all counted up front, so that every item of a first poll is weighed alike
 * whatever order it is clustered in. Pure: whoever holds the store loads the stored counts of the terms it
 * is about to weigh (missing(), then learn()); a term never loaded counts only its batch occurrences.
 *
 * IDFs blend these counts with reference counts over a news corpus, as pseudo-documents that weigh less as
 * the install grows (referenceDocuments): a new install tells "officials" from "Crimea" as an established one
 * does. df() and documentCount stay the install's own counts, and so does isCommon: it keeps long posting
 * lists of this store out of candidate queries, which the reference says nothing about.
 */
export class TermStatistics implements TermWeights {
  /** Stored counts loaded so far (they do not change during a batch). */
  private readonly stored = new Map<string, number>();
  private readonly inBatch = new Map<string, number>();
  private readonly idfs = new Map<string, number>();
  private readonly documents: number;
  /** Pseudo-documents of the reference at this install size, and its document frequencies scaled to them. */
  private readonly pseudoDocuments: number;
  private readonly referenceScale: number;

  /**
   * `storedDocuments` counts the store before the batch's items are indexed; `batchTerms` holds each new
   * item's distinct terms; `reference` (null: none, IDFs from the install's counts alone) is blended in.
   */
  constructor(storedDocuments: number, batchTerms: ReadonlyArray<readonly string[]> = [], private readonly reference: ReferenceTerms | null = DEFAULT_REFERENCE_TERMS) {
    for (const terms of batchTerms) for (const term of terms) this.inBatch.set(term, (this.inBatch.get(term) ?? 0) + 1);
    this.documents = storedDocuments + batchTerms.length;
    this.pseudoDocuments = reference && reference.documents > 0 ? referenceDocuments(this.documents) : 0;
    this.referenceScale = reference && reference.documents > 0 ? this.pseudoDocuments / reference.documents : 0;
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

  /** Document frequency of a term in the install (stored and batch), without the reference. */
  df(term: string): number {
    return (this.stored.get(term) ?? 0) + (this.inBatch.get(term) ?? 0);
  }

  /** Document frequency the IDF weighs: the install's, plus the reference's share of its pseudo-documents. */
  blendedDf(term: string): number {
    return this.df(term) + this.referenceScale * (this.reference?.df.get(term) ?? 0);
  }

  /** Whether a term is too common to look candidates up by. */
  readonly isCommon = (term: string): boolean => isCommonTerm(this.df(term), this.documents);

  /** Inverse document frequency of a term. */
  readonly idf = (term: string): number => {
    let value = this.idfs.get(term);
    if (value === undefined) {
      value = inverseDocumentFrequency(this.blendedDf(term), this.documents + this.pseudoDocuments);
      this.idfs.set(term, value);
    }
    return value;
  };
}
