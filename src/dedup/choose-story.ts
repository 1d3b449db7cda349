import { sigmoid } from './pair-model.js';

/** A candidate item's verdict: the story it belongs to and how likely it reports the item's event. */
export interface CandidateVerdict {
  storyId: number;
  /** Log-odds from the similarity backend. */
  logit: number;
  sameOutlet: boolean;
}

/** How verdicts become a decision. */
export interface ChoiceRules {
  /** Smallest mean probability over a story's candidate items for the item to join it. */
  threshold: number;
  /** Log-odds taken off a pair from one outlet: a penalty, never a veto. */
  sameOutletPenalty: number;
}

/** A story's support: the mean probability over its candidate items. */
export interface StorySupport {
  storyId: number;
  probability: number;
  /** The probability of its likeliest candidate item alone. */
  best: number;
}

/**
 * Scores each story by the mean probability of its candidate items (average link: one look-alike member
 * is not enough to pull an item into a story the rest of which disagrees), a same-outlet pair counting
 * with its penalty. Best first; ties go to the older (smaller) story id.
 */
export function storySupport(verdicts: readonly CandidateVerdict[], sameOutletPenalty: number): StorySupport[] {
  const sums = new Map<number, { total: number; n: number; best: number }>();
  for (const v of verdicts) {
    const p = sigmoid(v.logit - (v.sameOutlet ? sameOutletPenalty : 0));
    const entry = sums.get(v.storyId);
    if (entry) {
      entry.total += p;
      entry.n++;
      entry.best = Math.max(entry.best, p);
    } else {
      sums.set(v.storyId, { total: p, n: 1, best: p });
    }
  }
  return [...sums]
    .map(([storyId, { total, n, best }]) => ({ storyId, probability: total / n, best }))
    .sort((a, b) => b.probability - a.probability || a.storyId - b.storyId);
}

/** The story an item joins, or null for a new story: the best-supported one at or above the threshold. */
export function chooseStory(verdicts: readonly CandidateVerdict[], rules: ChoiceRules): number | null {
  const [best] = storySupport(verdicts, rules.sameOutletPenalty);
  return best && best.probability >= rules.threshold ? best.storyId : null;
}

/** How many of an item's rarest terms query the candidate index (about all of a headline and lede). */
export const QUERY_TERMS = 32;

/**
 * The query of the candidate index for an item: its `limit` rarest distinct terms with their IDF, common
 * ones left out: they touch long posting lists and find little the rarer words do not.
 */
export function queryTerms(terms: readonly string[], idf: (term: string) => number, limit: number, isCommon: (term: string) => boolean = () => false): Map<string, number> {
  const weighed: Array<[string, number]> = [];
  for (const term of new Set(terms)) if (!isCommon(term)) weighed.push([term, idf(term)]);
  weighed.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return new Map(weighed.slice(0, limit));
}

/** Share of documents above which a term is too common to look candidates up by. */
export const COMMON_TERM_SHARE = 0.05;
/** Below this many documents no term counts as common (shares mean little in a young collection). */
export const COMMON_TERM_MIN_DOCUMENTS = 200;

/** Whether a term seen in `df` of `documents` documents is too common to look candidates up by. */
export function isCommonTerm(df: number, documents: number): boolean {
  return documents >= COMMON_TERM_MIN_DOCUMENTS && df > COMMON_TERM_SHARE * documents;
}
