import type { DedupConfig } from '../config/config-schema.js';
import { pickRepresentative } from '../dedup/pick-representative.js';
import { storyKeys } from '../dedup/story-keys.js';
import type { ItemRecord } from '../store/items.js';
import type { Store } from '../store/store.js';
import type { Entry } from './entry.js';
import { assignStory, indexItem, type IncomingItem } from './assign-story.js';
import { contentHash, entryKeys, type GuidMode } from './entry-identity.js';

/** One feed's freshly parsed entries. */
export interface FeedEntries {
  feedId: number;
  entries: readonly Entry[];
  fetchedAt: number;
  guidMode: GuidMode;
}

/** What storing did to one feed's entries. */
export interface StoreCounts {
  new: number;
  updated: number;
  unchanged: number;
}

/** What storing a batch did, per feed and to stories. */
export interface StoreReport {
  perFeed: Map<number, StoreCounts>;
  storiesCreated: number;
  storiesMerged: number;
  changedStories: number;
}

interface Pending {
  feedId: number;
  entry: Entry;
  entryKey: string;
  fetchedAt: number;
}

function record(entry: Entry, fetchedAt: number, previousPublished?: number): Omit<ItemRecord, 'feedId' | 'storyId' | 'entryKey' | 'firstSeenAt'> {
  return {
    guid: entry.guid,
    link: entry.link,
    title: entry.title,
    summary: entry.summary,
    content: entry.content,
    author: entry.author,
    publishedAt: entry.published ?? previousPublished ?? fetchedAt,
    hasDate: entry.published === null ? 0 : 1,
    updatedAt: entry.updated,
    changedAt: fetchedAt,
    categories: JSON.stringify(entry.categories),
    enclosure: entry.enclosure ? JSON.stringify(entry.enclosure) : null,
    image: entry.image,
    contentHash: contentHash(entry),
  };
}

/**
 * Stores a batch of feeds' entries and merges new items into stories. Call inside store.write(): the whole
 * batch is one transaction. New items are clustered in published order across the batch, so a first poll's
 * backlogs, arriving feed by feed, merge as if they had arrived in time order. Edited items keep their story.
 */
export function storeEntries(store: Store, batch: readonly FeedEntries[], dedup: DedupConfig, now: number): StoreReport {
  const perFeed = new Map<number, StoreCounts>();
  const pending: Pending[] = [];
  const dirty = new Set<number>();
  let version: number | null = null;
  const storyVersion = () => (version ??= store.stories.nextVersion());
  for (const { feedId, entries, fetchedAt, guidMode } of batch) {
    const counts: StoreCounts = { new: 0, updated: 0, unchanged: 0 };
    perFeed.set(feedId, counts);
    const keys = entryKeys(entries, guidMode);
    entries.forEach((entry, i) => {
      const entryKey = keys[i];
      if (!entryKey) return;
      const known = store.items.find(feedId, entryKey);
      if (!known) {
        pending.push({ feedId, entry, entryKey, fetchedAt });
        counts.new++;
      } else if (known.contentHash !== contentHash(entry)) {
        store.items.update(known.id, record(entry, fetchedAt, known.publishedAt));
        const k = storyKeys(entry, dedup.minTitleWords);
        store.items.setKeys(known.id, [...k.urlKeys, ...(k.titleKey ? [k.titleKey] : [])]);
        dirty.add(known.storyId);
        counts.updated++;
      } else {
        counts.unchanged++;
      }
    });
  }
  pending.sort((a, b) => (a.entry.published ?? a.fetchedAt) - (b.entry.published ?? b.fetchedAt));
  let storiesCreated = 0;
  let storiesMerged = 0;
  for (const item of pending) {
    const fields = record(item.entry, item.fetchedAt);
    const incoming: IncomingItem = { feedId: item.feedId, entry: item.entry, publishedAt: fields.publishedAt, keys: storyKeys(item.entry, dedup.minTitleWords) };
    const assignment = assignStory(store, incoming, dedup, now, storyVersion);
    if (assignment.created) storiesCreated++;
    for (const absorbed of assignment.absorbed) dirty.delete(absorbed);
    storiesMerged += assignment.absorbed.length;
    const itemId = store.items.insert({ ...fields, feedId: item.feedId, storyId: assignment.storyId, entryKey: item.entryKey, firstSeenAt: item.fetchedAt });
    indexItem(store, itemId, incoming);
    dirty.add(assignment.storyId);
  }
  for (const storyId of dirty) {
    store.stories.refresh(storyId, pickRepresentative(store.items.members(storyId)), now, storyVersion());
  }
  return { perFeed, storiesCreated, storiesMerged, changedStories: dirty.size };
}
