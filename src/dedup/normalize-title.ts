/** Labels that outlets put in front of a headline; they say nothing about which event it reports. */
const LABEL_PREFIX = /^(?:(?:breaking|breaking news|live|live updates?|watch|video|update|updated|exclusive|just in|developing|analysis|explainer|fact check|photos|in pictures)\s*[:|–—-]\s*)+/i;

/**
 * Lowercases a headline, strips accents, punctuation and leading labels ("BREAKING:"), and collapses
 * spaces, so that the same headline from two outlets compares equal.
 */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[’‘`´]/g, "'")
    .trim()
    .replace(LABEL_PREFIX, '')
    .toLowerCase()
    .replace(/'s\b/g, 's')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Counts the words of a normalized title. */
export function wordCount(normalized: string): number {
  return normalized ? normalized.split(' ').length : 0;
}
