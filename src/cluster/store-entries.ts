import type { DedupConfig } from '../config/config-schema.js';
import { DEFAULT_PAIR_MODEL } from '../dedup/default-pair-model.js';
import { profileTerms, termProfile } from '../dedup/item-profile.js';
import { LexicalSimilarity, type EventSimilarity } from '../dedup/similarity.js';
import { storyKeys } from '../dedup/story-keys.js';
import { isTemplatedFeed } from '../dedup/templated-feed.js';
import { TermStatistics, type ReferenceTerms } from '../dedup/term-statistics.js';
import type { ItemTopicSource } from '../store/item-topics.js';
import type { ItemRecord } from '../store/items.js';
import type { ClusterEngine } from './cluster-engine.js';
import type { Entry } from './entry.js';
import { assignStory, indexItem, loadTerms, weighedTerms, type ClusterSession, type IncomingItem } from './assign-story.js';
import { contentHash, entryKeys, type GuidMode } from './entry-identity.js';
import { profileEntry } from './item-lede.js';
import { refreshStory } from './story-edits.js';

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
  /** Items inserted or rewritten, as written: their topics are decided from these (cluster/item-topics.ts), not read back. */
  writtenItems: ItemTopicSource[];
}

/** What clustering uses besides the config; the defaults are the shipped pair model and reference term counts. */
export interface ClusterOptions {
  similarity?: EventSimilarity;
  /** Reference term counts blended into IDFs (null: the install's own counts only, as before they existed). */
  reference?: ReferenceTerms | null;
}

interface Pending {
  feedId: number;
  entry: Entry;
  entryKey: string;
  fetchedAt: number;
  templated: boolean;
}

/** The similarity the ingest path uses when none is given. */
export function defaultSimilarity(): EventSimilarity {
  return new LexicalSimilarity(DEFAULT_PAIR_MODEL);
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

function topicSource(id: number, fields: Pick<ItemRecord, 'title' | 'summary' | 'content' | 'categories' | 'link'>): ItemTopicSource {
  return { id, title: fields.title, summary: fields.summary, content: fields.content, categories: fields.categories, link: fields.link };
}

/**
 * Stores a batch of feeds' entries and merges new items into stories. Call inside engine.write(): the whole
 * batch is one transaction. New items are clustered in published order across the batch, so a first poll's
 * backlogs, arriving feed by feed, merge as if they had arrived in time order. Edited items keep their story.
 */
export function storeEntries(engine: ClusterEngine, batch: readonly FeedEntries[], dedup: DedupConfig, now: number, options: ClusterOptions = {}): StoreReport {
  const { store, index } = engine;
  index.begin();
  const perFeed = new Map<number, StoreCounts>();
  const pending: Pending[] = [];
  const dirty = new Set<number>();
  const written: ItemTopicSource[] = [];
  let version: number | null = null;
  const storyVersion = () => (version ??= store.stories.nextVersion());
  const outlets = new Map<number, string>();
  const outletOf = (feedId: number) => outlets.get(feedId) ?? outlets.set(feedId, store.clustering.outletOf(feedId)).get(feedId)!;
  for (const { feedId, entries, fetchedAt, guidMode } of batch) {
    const counts: StoreCounts = { new: 0, updated: 0, unchanged: 0 };
    perFeed.set(feedId, counts);
    const keys = entryKeys(entries, guidMode);
    const templated = isTemplatedFeed(entries.map((e) => e.title));
    entries.forEach((entry, i) => {
      const entryKey = keys[i];
      if (!entryKey) return;
      const known = store.items.find(feedId, entryKey);
      if (!known) {
        pending.push({ feedId, entry, entryKey, fetchedAt, templated });
        counts.new++;
      } else if (known.contentHash !== contentHash(entry)) {
        const fields = record(entry, fetchedAt, known.publishedAt);
        store.items.update(known.id, fields);
        // An edit re-indexes the item for later matching; it never moves it out of its story.
        indexItem(engine, { itemId: known.id, storyId: known.storyId, feedId, outlet: outletOf(feedId) }, { keys: storyKeys(entry, dedup.minTitleWords), profile: profileEntry(entry), publishedAt: fields.publishedAt, templated }, true);
        dirty.add(known.storyId);
        counts.updated++;
        written.push(topicSource(known.id, fields));
      } else {
        counts.unchanged++;
      }
    });
  }
  pending.sort((a, b) => (a.entry.published ?? a.fetchedAt) - (b.entry.published ?? b.fetchedAt));
  const incoming: IncomingItem[] = pending.map((item) => {
    const profile = profileEntry(item.entry);
    const publishedAt = item.entry.published ?? item.fetchedAt;
    const outlet = outletOf(item.feedId);
    return { feedId: item.feedId, outlet, entry: item.entry, publishedAt, keys: storyKeys(item.entry, dedup.minTitleWords), profile, compared: { profile: termProfile(profile), publishedAt, outlet }, templated: item.templated };
  });
  const session: ClusterSession = {
    similarity: options.similarity ?? defaultSimilarity(),
    terms: new TermStatistics(index.documentCount(), incoming.map((i) => profileTerms(i.profile)), options.reference),
  };
  // Read before anything of the batch is written: the stored counts of everything its items weigh.
  loadTerms(engine, session.terms, incoming.flatMap((i) => weighedTerms(i.profile)));
  let storiesCreated = 0;
  let storiesMerged = 0;
  pending.forEach((item, i) => {
    const fields = record(item.entry, item.fetchedAt);
    const next = incoming[i]!;
    const assignment = assignStory(engine, next, dedup, now, storyVersion, session);
    if (assignment.created) storiesCreated++;
    for (const absorbed of assignment.absorbed) dirty.delete(absorbed);
    storiesMerged += assignment.absorbed.length;
    const itemId = store.items.insert({ ...fields, feedId: item.feedId, storyId: assignment.storyId, entryKey: item.entryKey, firstSeenAt: item.fetchedAt });
    written.push(topicSource(itemId, fields));
    indexItem(engine, { itemId, storyId: assignment.storyId, feedId: item.feedId, outlet: next.outlet }, next);
    dirty.add(assignment.storyId);
  });
  index.flush();
  for (const storyId of dirty) {
    refreshStory(store, storyId, now, storyVersion());
  }
  return { perFeed, storiesCreated, storiesMerged, changedStories: dirty.size, writtenItems: written };
}
