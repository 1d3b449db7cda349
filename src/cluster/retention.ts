import { refreshStory } from './story-edits.js';
import type { ClusterEngine } from './cluster-engine.js';

const DAY = 86_400_000;

/** What a retention pass removed. */
export interface RetentionReport {
  items: number;
  stories: number;
}

/**
 * Deletes items newsmerge first saw more than `retentionDays` ago (not by their published date, which
 * outlets get wrong), keeping each configured feed's `keepPerFeed` newest (feeds removed from the config,
 * `removedFeedIds`, keep none), then stories left empty (their related links
 * go with them) and corrections naming no stored item; stories that only lost some items get their counts
 * and headline recomputed. One short transaction.
 */
export function pruneExpired(engine: ClusterEngine, retentionDays: number, keepPerFeed: number, now: number, removedFeedIds: readonly number[] = []): RetentionReport {
  const { store, index } = engine;
  return engine.write(() => {
    // A removed feed keeps nothing past retentionDays; its row goes with its last item, so that a feed added
    // back later is fetched afresh (its stored validators would answer 304 for items no longer stored).
    const pruned = store.items.pruneOlderThan(now - retentionDays * DAY, keepPerFeed, removedFeedIds);
    if (pruned.deleted === 0) return { items: 0, stories: 0 };
    store.feeds.deleteIfEmpty(removedFeedIds.filter((id) => pruned.feeds.has(id)));
    index.deleted(pruned.ids);
    const stories = store.stories.deleteEmpty();
    // A correction lives while any item it names does (its item rows went with the items).
    store.corrections.deleteEmpty();
    const version = store.stories.nextVersion();
    for (const id of pruned.stories) refreshStory(store, id, now, version);
    return { items: pruned.deleted, stories };
  });
}
