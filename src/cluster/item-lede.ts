import { LEDE_CHARS, profileItem, type ItemProfile } from '../dedup/item-profile.js';
import { openingText } from '../ingest/html-text.js';
import type { Entry } from './entry.js';

/** What an item's lede is chosen from: what parsing gives and what the items table stores alike. */
export type LedeSource = Pick<Entry, 'summary' | 'content'>;

/**
 * The text an item's lede is cut from: its summary, unless the summary is shorter than the opening of its
 * content (a teaser such as "Read more", or no summary at all), when the content's text is. A summary that
 * already fills the lede is kept: the profile would hold no more text, and outlets write it as the lede.
 * Derived only from the stored summary and sanitized content, so an item re-indexed later gets the same lede.
 */
export function ledeText(item: LedeSource): string {
  if (!item.content || item.summary.length >= LEDE_CHARS) return item.summary;
  // One character past the lede: enough for ledeOf to cut at a word boundary, whatever the body's length.
  const body = openingText(item.content, LEDE_CHARS + 1);
  return body.length > item.summary.length ? body : item.summary;
}

/** Builds the clustering profile of an item from its headline and the lede ledeText chooses. */
export function profileEntry(item: LedeSource & Pick<Entry, 'title'>): ItemProfile {
  return profileItem(item.title, ledeText(item));
}
