import { normalizeTitle } from './normalize-title.js';

/** Fewest headlines before a feed can be told templated: a handful of items says nothing. */
const MIN_TITLES = 10;
/** Distinct words per word used, at most, in a templated feed's headlines (numbers not counted). */
const MAX_DIVERSITY = 0.2;

/**
 * True for a feed whose headlines are one template with other numbers and a few names ("M 2.5 - 10 km N of
 * Anza", "Lions 24, Bears 17", tickers): they use a couple of dozen words over and over, where a newsroom's
 * headlines rarely repeat a word. Two such items look alike whatever they report, so their stories are
 * only merged on a shared link or guid, never by similarity.
 */
export function isTemplatedFeed(titles: readonly string[]): boolean {
  if (titles.length < MIN_TITLES) return false;
  let total = 0;
  const distinct = new Set<string>();
  for (const title of titles) {
    for (const word of normalizeTitle(title).split(' ')) {
      if (!word || /^\d/.test(word)) continue;
      total++;
      distinct.add(word);
    }
  }
  return total > 0 && distinct.size / total <= MAX_DIVERSITY;
}
