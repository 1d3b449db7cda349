import { formatMinhash, minhash, shingles } from './minhash.js';
import { splitWords, type Word } from './tokenize.js';

/** What clustering keeps of an item: its terms, the names and numbers it mentions, and a near-duplicate hash. */
export interface ItemProfile {
  /** Stemmed headline terms, in order, repeats kept. */
  title: string[];
  /** Stemmed terms of the lede (the opening of the summary, or of the content when that says more: cluster/item-lede.ts), in order, repeats kept. */
  lede: string[];
  /** Distinct terms written as proper names (capitalized mid-sentence, or acronyms). */
  names: string[];
  /** Distinct numbers ("#17", "#150000"). */
  numbers: string[];
  /** MinHash signature (hex) of the item's word pairs, for wire copies. */
  minhash: string;
}

/** How much of a summary counts as the lede: outlets' summaries run from one line to a paragraph. */
export const LEDE_CHARS = 320;

function isCapitalized(word: Word): boolean {
  return /^\p{Lu}/u.test(word.text);
}

function isAcronym(word: Word): boolean {
  return word.text.length >= 2 && /^\p{Lu}+$/u.test(word.text);
}

/** A headline in Title Case capitalizes every word, so its capitals say nothing about names. */
function isTitleCase(words: readonly Word[]): boolean {
  const content = words.filter((w) => w.term && !/^\p{N}/u.test(w.text));
  if (content.length < 3) return false;
  return content.filter(isCapitalized).length / content.length >= 0.75;
}

function nameTerms(words: readonly Word[], capitalsMeanNames: boolean, into: Set<string>): void {
  for (const word of words) {
    if (!word.term || word.term.startsWith('#')) continue;
    if (isAcronym(word) || (capitalsMeanNames && !word.sentenceStart && isCapitalized(word))) into.add(word.term);
  }
}

/** Cuts a summary to its lede, at a word boundary. */
export function ledeOf(summary: string): string {
  if (summary.length <= LEDE_CHARS) return summary;
  const cut = summary.lastIndexOf(' ', LEDE_CHARS);
  return summary.slice(0, cut > LEDE_CHARS / 2 ? cut : LEDE_CHARS);
}

/** What comparing an item reads of its profile (the MinHash is stored and read on its own). */
export type TermProfile = Omit<ItemProfile, 'minhash'>;

/** The profile without its MinHash: what is stored and kept in memory for comparing (the hash is 512 characters). */
export function termProfile(profile: ItemProfile): TermProfile {
  const { minhash: _minhash, ...terms } = profile;
  return terms;
}

/** Builds the profile of an item from its headline and summary. */
export function profileItem(title: string, summary: string): ItemProfile {
  const titleWords = splitWords(title);
  const ledeWords = splitWords(ledeOf(summary));
  const names = new Set<string>();
  nameTerms(ledeWords, true, names);
  const ledeNames = new Set(names);
  if (isTitleCase(titleWords)) {
    // Title Case: a capital word is a name only if the lede writes it as one too.
    for (const word of titleWords) if (word.term && (isAcronym(word) || ledeNames.has(word.term))) names.add(word.term);
  } else {
    nameTerms(titleWords, true, names);
  }
  const titleTerms = titleWords.flatMap((w) => (w.term ? [w.term] : []));
  const ledeTerms = ledeWords.flatMap((w) => (w.term ? [w.term] : []));
  const numbers = new Set([...titleTerms, ...ledeTerms].filter((t) => t.startsWith('#')));
  const plain = [...titleWords, ...ledeWords].map((w) => w.text.toLowerCase());
  return {
    title: titleTerms,
    lede: ledeTerms,
    names: [...names],
    numbers: [...numbers],
    minhash: formatMinhash(minhash(shingles(plain))),
  };
}

/** Every distinct term of a profile: what document frequencies and the inverted index count. */
export function profileTerms(profile: TermProfile): string[] {
  return [...new Set([...profile.title, ...profile.lede])];
}
