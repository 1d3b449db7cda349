import type { DedupConfig } from '../config/config-schema.js';
import type { StoryKeys } from '../dedup/story-keys.js';
import type { Store } from '../store/store.js';
import type { Entry } from './entry.js';

/** A new item about to be stored, with what the merge stages look at. */
export interface IncomingItem {
  feedId: number;
  entry: Entry;
  /** Effective publication time (the fetch time when the feed gave none). */
  publishedAt: number;
  keys: StoryKeys;
}

/** Where a new item goes: an existing story, or a new one; and stories it proved to be one. */
export interface Assignment {
  storyId: number;
  created: boolean;
  /** Stories merged into `storyId` because this item tied them together. */
  absorbed: number[];
}

/**
 * Finds the story of a new item: the exact stage (shared link or URI guid anywhere; the same normalized
 * headline from another outlet within the window). With no match, a new story starts. Runs inside the
 * ingest transaction; the item itself is inserted by the caller.
 */
export function assignStory(store: Store, item: IncomingItem, dedup: DedupConfig, now: number, storyVersion: () => number): Assignment {
  const found = new Set(store.items.storiesWithKeys(item.keys.urlKeys, -1));
  if (item.keys.titleKey) {
    const { publishedAt } = item;
    for (const id of store.items.storiesWithTitle(item.keys.titleKey, -1, item.feedId, publishedAt - dedup.window, publishedAt + dedup.window)) {
      found.add(id);
    }
  }
  if (found.size === 0) return { storyId: store.stories.create(item.publishedAt, now), created: true, absorbed: [] };
  // One item tying several stories together makes them one; the oldest id survives.
  const [survivor, ...absorbed] = [...found].sort((a, b) => a - b);
  for (const other of absorbed) {
    store.items.moveStory(other, survivor!);
    store.stories.markMerged(other, survivor!, now, storyVersion());
  }
  return { storyId: survivor!, created: false, absorbed };
}

/** Records what later items are matched against (the item's exact keys); called after the item is inserted. */
export function indexItem(store: Store, itemId: number, item: IncomingItem): void {
  store.items.setKeys(itemId, [...item.keys.urlKeys, ...(item.keys.titleKey ? [item.keys.titleKey] : [])]);
}
