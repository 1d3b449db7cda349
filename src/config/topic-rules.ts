import { z } from 'zod';

const ruleList = (what: string) => z.array(z.string().trim().min(1, `an empty ${what} matches nothing`).max(200)).max(500).default([]);

/** A topic's own rules (feeds.config.json `topics.<tag>.match`); see docs/topics.md. */
export const topicMatchSchema = z.strictObject({
  /** Category or section names (of items' categories and link paths) that put an item in the topic. */
  categories: ruleList('category'),
  /** Words or phrases of headline or lede (stemmed, case-insensitive) that put an item in the topic. */
  keywords: ruleList('keyword'),
  /** Words or phrases of headline or lede, or category names, that keep an item out whatever else says (exclude wins). */
  exclude: ruleList('exclusion'),
});

/** Whether every item of a feed is in each of its topics ("all") or only the items that fit the topic ("match"). */
export const topicModeSchema = z.enum(['all', 'match']);

/**
 * The confidence the topic classifier must exceed to be trusted, the same for every class; absent, each
 * class has the threshold measured for it (src/dedup/topic-model.json). 1 turns the classifier off.
 */
export const classifierThresholdSchema = z.number().min(0).max(1);

/** The topic mode of a feed: its own, or "all" for a feed with one topic and "match" for one with several. */
export function topicModeOf(feed: { tags: readonly string[]; topicMode?: 'all' | 'match' | undefined }): 'all' | 'match' {
  return feed.topicMode ?? (feed.tags.length > 1 ? 'match' : 'all');
}
