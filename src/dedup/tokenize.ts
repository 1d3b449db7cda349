import { stemmer } from 'stemmer';
import { americanSpelling } from './spelling.js';
import { STOP_WORDS } from './stop-words.js';

/** A word as written, with where it stands: what term weighting and name detection start from. */
export interface Word {
  /** The word as written, accents and punctuation removed ("Trump", "NATO", "150000"). */
  text: string;
  /** The stemmed, lowercased term, or null for a stop word or a lone letter. */
  term: string | null;
  /** True for the first word of a sentence, where a capital says nothing about names. */
  sentenceStart: boolean;
}

const WORD = /[\p{L}\p{N}]+(?:[.,'’][\p{L}\p{N}]+)*|[.!?:;]/gu;
const NUMERIC = /^\p{N}[\p{N}.,]*$/u;

/**
 * Terms of words seen lately. termOf is pure and news reuses a small vocabulary, so memoizing it is safe
 * and spares the stemmer most calls; the bound keeps a vocabulary that never repeats from growing it.
 */
const recentTerms = new Map<string, string | null>();
const MAX_RECENT_TERMS = 50_000;

/** The stemmed term of one lowercased word, or null when it carries no meaning of its own. */
export function termOf(lower: string): string | null {
  const known = recentTerms.get(lower);
  if (known !== undefined) return known;
  if (recentTerms.size >= MAX_RECENT_TERMS) recentTerms.clear();
  const term = computeTerm(lower);
  recentTerms.set(lower, term);
  return term;
}

function computeTerm(lower: string): string | null {
  if (NUMERIC.test(lower)) {
    const digits = lower.replace(/,(?=\d{3}\b)/g, '').replace(/\.0+$/, '');
    return `#${digits}`;
  }
  const word = lower.replace(/['’]s$/, '').replace(/['’]/g, '');
  if (word.length < 2 || STOP_WORDS.has(word)) return null;
  return stemmer(americanSpelling(word));
}

/** Splits text into words, in order, marking sentence starts; "U.S." and "150,000" stay one word. */
export function splitWords(text: string): Word[] {
  const plain = text.normalize('NFKD').replace(/\p{M}+/gu, '');
  const words: Word[] = [];
  let sentenceStart = true;
  for (const match of plain.matchAll(WORD)) {
    const raw = match[0];
    if (/^[.!?:;]$/.test(raw)) {
      sentenceStart = true;
      continue;
    }
    const text = raw.replace(/\.(?=\p{L})/gu, '');
    // "US", "U.S.", "WHO": an acronym is a name, never the stop word it spells in lower case.
    const acronym = text.length >= 2 && /^\p{Lu}+$/u.test(text);
    words.push({ text, term: acronym ? text.toLowerCase() : termOf(text.toLowerCase()), sentenceStart });
    sentenceStart = false;
  }
  return words;
}

/** The stemmed, stop-word-free terms of a text, in order, repeats kept (term frequency counts them). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of splitWords(text)) if (word.term) out.push(word.term);
  return out;
}
