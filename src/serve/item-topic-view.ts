import type { FeedConfig } from '../config/config-schema.js';
import { topicModeOf } from '../config/topic-rules.js';
import type { StoredItemTopic } from '../store/item-topics.js';

/** How a topic selection reaches items: whole feeds ("all" mode) and "feedId:tag" keys for items that must fit. */
interface TopicReach {
  feedIds: number[];
  itemTopics: string[];
}

/**
 * Which items a selection of topics carries. Every item of a feed in topicMode "all" tagged with a chosen
 * topic; of a "match" feed, the items that fit a chosen topic the feed is tagged with. `everything` (/all,
 * the API without tag) carries every item of every feed, fitting or not.
 */
export function topicReach(feeds: readonly FeedConfig[], chosen: readonly string[], everything: boolean, idOf: (url: string) => number | undefined, excluded: ReadonlySet<number>): TopicReach {
  const reach: TopicReach = { feedIds: [], itemTopics: [] };
  for (const feed of feeds) {
    const id = idOf(feed.url);
    if (id === undefined || excluded.has(id)) continue;
    const tags = feed.tags.filter((t) => chosen.includes(t));
    if (tags.length === 0) continue;
    if (everything || topicModeOf(feed) === 'all') reach.feedIds.push(id);
    else for (const tag of tags) reach.itemTopics.push(`${id}:${tag}`);
  }
  return reach;
}

/** One topic an item is in, and what put it there ("feed": its feed is in topicMode "all"). */
interface ItemTopicView {
  tag: string;
  evidence: StoredItemTopic['evidence'] | 'feed';
  detail: string;
}

/**
 * The topics an item is in under the current config: each tag of its feed, for a feed in topicMode "all"
 * by the feed alone, for a "match" feed when the item fits it (with the stored evidence). Empty for an
 * item fitting none of its feed's topics (it stays in /all and on its story page) or of a removed feed.
 */
function itemTopicsOf(feed: FeedConfig | undefined, stored: readonly StoredItemTopic[]): ItemTopicView[] {
  if (!feed) return [];
  if (topicModeOf(feed) === 'all') return feed.tags.map((tag) => ({ tag, evidence: 'feed', detail: 'topicMode "all"' }));
  return feed.tags.flatMap((tag) => stored.filter((s) => s.tag === tag).map((s) => ({ tag, evidence: s.evidence, detail: s.detail })));
}

/**
 * The topics of a story's items under the current config (for /api/stories/<n> and the story page): per
 * item id what put it in which topic, and the story's topics (the union), in the config's topic order.
 */
export function storyTopics(feeds: readonly FeedConfig[], topicOrder: readonly string[], members: ReadonlyArray<{ id: number; feedUrl: string }>, stored: ReadonlyMap<number, readonly StoredItemTopic[]>): { tags: string[]; byItem: Map<number, ItemTopicView[]> } {
  const feedByUrl = new Map(feeds.map((f) => [f.url, f]));
  const byItem = new Map(members.map((m) => [m.id, itemTopicsOf(feedByUrl.get(m.feedUrl), stored.get(m.id) ?? [])]));
  const union = new Set([...byItem.values()].flatMap((topics) => topics.map((t) => t.tag)));
  return { tags: topicOrder.filter((t) => union.has(t)), byItem };
}
