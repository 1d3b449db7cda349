import type { TermProfile } from './item-profile.js';
import { PAIR_FEATURES, pairFeatures } from './pair-features.js';
import { pairLogit, type PairModel } from './pair-model.js';
import type { TermWeights } from './term-vector.js';
import { weighItem, type WeighedItem } from './weighed-item.js';

/** An item as a similarity backend compares it. */
export interface ComparedItem {
  profile: TermProfile;
  publishedAt: number;
  outlet: string;
  /** What the backend derived from the profile for its own use, kept with the item while callers cache it. */
  prepared?: unknown;
}

/**
 * Decides how likely each candidate reports the same event as an item. The lexical backend weighs terms
 * with the pair model; a sentence-embedding backend would implement the same method on vectors stored in
 * the profile. Scores are log-odds (0 = even chance).
 */
export interface EventSimilarity {
  score(item: ComparedItem, candidates: readonly ComparedItem[], weights: TermWeights): number[];
  /**
   * Whether scoring would weigh this item afresh at a collection of `documents` (then the frequencies of its
   * terms must be known); a backend without the method is taken to weigh every item afresh.
   */
  weighsAfresh?(item: ComparedItem, documents: number): boolean;
}

/** The features the pair model sees: the pair's own, and where the candidate ranks among all candidates. */
export const MODEL_FEATURES: readonly string[] = [...PAIR_FEATURES, 'candidateRank', 'gapToBest'];

const COMBINED_COSINE = PAIR_FEATURES.indexOf('cosAll');

/**
 * Pair features of an item against each of its candidates, plus two features of competition: the rank of
 * the candidate by combined cosine (0 = best) and its cosine minus the best other candidate's.
 */
export function candidateFeatures(item: WeighedItem, candidates: readonly WeighedItem[]): number[][] {
  const own = candidates.map((c) => pairFeatures(item, c));
  const cosines = own.map((f) => f[COMBINED_COSINE]!);
  const sorted = [...cosines].sort((a, b) => b - a);
  return own.map((features, i) => {
    const c = cosines[i]!;
    const rank = sorted.indexOf(c);
    const bestOther = rank === 0 ? (sorted[1] ?? 0) : sorted[0]!;
    // Each candidate's own array, lengthened: a lookup scores a dozen candidates, a first poll a million.
    features.push(Math.log1p(rank), c - bestOther);
    return features;
  });
}

/** The lexical backend's prepared form of an item, and the collection size it was weighed at. */
class WeighedTerms {
  constructor(
    readonly item: WeighedItem,
    readonly documents: number,
  ) {}
}

/** A prepared item is weighed again once the collection has grown this much (a young collection's IDFs move fast). */
const REWEIGH_GROWTH = 1.5;

/** The term-based backend: sublinear TF-IDF features scored by a learned pair model. */
export class LexicalSimilarity implements EventSimilarity {
  constructor(private readonly model: PairModel) {
    const expected = MODEL_FEATURES.join(',');
    if (model.features.join(',') !== expected) throw new Error(`pair model features (${model.features.join(',')}) are not ${expected}; retrain it`);
  }

  /** Log-odds per candidate. */
  score(item: ComparedItem, candidates: readonly ComparedItem[], weights: TermWeights): number[] {
    return this.features(item, candidates, weights).map((f) => pairLogit(this.model, f));
  }

  /** The model's input for each candidate (what training records). */
  features(item: ComparedItem, candidates: readonly ComparedItem[], weights: TermWeights): number[][] {
    if (candidates.length === 0) return [];
    return candidateFeatures(this.weigh(item, weights), candidates.map((c) => this.weigh(c, weights)));
  }

  /** Whether the item has no weighed form fresh enough for a collection of this size. */
  weighsAfresh(item: ComparedItem, documents: number): boolean {
    const prepared = item.prepared;
    return !(prepared instanceof WeighedTerms && documents <= prepared.documents * REWEIGH_GROWTH + 20);
  }

  // Indexed items are compared again and again: weighed once, again only when the collection has grown a lot.
  private weigh(item: ComparedItem, weights: TermWeights): WeighedItem {
    if (!this.weighsAfresh(item, weights.documentCount)) return (item.prepared as WeighedTerms).item;
    const weighed = weighItem(item.profile, item.publishedAt, item.outlet, weights);
    item.prepared = new WeighedTerms(weighed, weights.documentCount);
    return weighed;
  }
}
