import type Database from 'better-sqlite3';
import { WindowCache, type CachedItem, type WindowEntry } from './window-cache.js';

/** An indexed item as clustering compares it: where it lives and who published it (its profile: derived()). */
export interface IndexedItem {
  itemId: number;
  storyId: number;
  feedId: number;
  outlet: string;
  publishedAt: number;
  /** The stored profile (JSON), read along when the item had no derived form in memory. */
  profile?: string;
}

/** An item stored before clustering state existed, to be indexed. */
export interface UnindexedItem {
  id: number;
  storyId: number;
  feedId: number;
  outlet: string;
  title: string;
  summary: string;
  content: string | null;
  publishedAt: number;
}

/** Where an entry of a feed ended up: what the evaluation scores. */
export interface EntryStory {
  feedId: number;
  entryKey: string;
  storyId: number;
}

/** What indexing an item stores. */
export interface IndexEntry {
  itemId: number;
  storyId: number;
  feedId: number;
  outlet: string;
  publishedAt: number;
  minhash: string;
  /** Distinct terms: postings and document frequencies. */
  terms: readonly string[];
  bands: readonly number[];
  profile: string;
}

/** Most cached frequencies: bounds memory whatever the vocabulary. */
const MAX_CACHED_TERMS = 100_000;
/**
 * Most items that keep a derived (parsed and weighed) form: about 4 KB each. A busy window holds tens of
 * thousands of items; the ones compared lately keep theirs, the others are derived again when needed.
 */
const MAX_DERIVED = 6_000;

interface WindowRow extends IndexedItem {
  terms: string;
  bands: string;
}

type ProfileRow = IndexedItem & { profile: string };

/**
 * The clustering state. Stored: item profiles and document frequencies (kept exact by triggers), and
 * merge hints. In memory, rebuilt from the store on demand: the inverted index and MinHash band index over
 * the active window, and a short-lived cache of document frequencies.
 */
export class ClusterIndex {
  private readonly addProfileStmt;
  private readonly addFrequenciesStmt;
  private readonly addDocumentsStmt;
  private readonly removeProfileStmt;
  private readonly documentsStmt;
  private readonly newestIdStmt;
  private readonly newestPublishedStmt;
  private readonly frequenciesStmt;
  private readonly profilesInRangeStmt;
  private readonly countInRangeStmt;
  private readonly profilesStmt;
  private readonly minhashesStmt;
  private readonly storyItemsStmt;
  private readonly outletStmt;
  private readonly addHintStmt;
  private readonly takeHintsStmt;
  private readonly unindexedStmt;
  private readonly entryStoriesStmt;
  private readonly backfilledStmt;
  private readonly setBackfilledStmt;

  private readonly window: WindowCache;
  private readonly frequencyCache = new Map<string, number>();
  /** Items holding a derived form, oldest first (a Set keeps insertion order). */
  private readonly derivedOrder = new Set<CachedItem>();
  /** Document frequencies of items indexed in this transaction, written together by flush(). */
  private pending = new Map<string, number>();
  private pendingDocuments = 0;
  /** What this connection last left in the store: a mismatch means another writer or a rollback. */
  private expected = { documents: -1, newestId: -1, dataVersion: -1 };
  private readonly dataVersionStmt;

  /** `windowMs` sizes the in-memory index: it keeps about two windows of published time behind the newest lookup. */
  constructor(db: Database.Database, windowMs = 72 * 3_600_000) {
    this.window = new WindowCache(2 * windowMs);
    this.dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
    this.addProfileStmt = db.prepare(`INSERT INTO item_profiles (item_id, published_at, minhash, terms, bands, profile) VALUES (?, ?, ?, ?, ?, ?)`);
    this.addFrequenciesStmt = db.prepare(`
      INSERT INTO term_frequencies (term, df) VALUES (?, ?)
      ON CONFLICT (term) DO UPDATE SET df = df + excluded.df`);
    this.addDocumentsStmt = db.prepare(`UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'dedup_documents'`);
    this.removeProfileStmt = db.prepare(`DELETE FROM item_profiles WHERE item_id = ?`);
    this.documentsStmt = db.prepare(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'dedup_documents'`).pluck();
    this.newestIdStmt = db.prepare(`SELECT max(item_id) FROM item_profiles`).pluck();
    this.newestPublishedStmt = db.prepare(`SELECT max(published_at) FROM item_profiles`).pluck();
    this.frequenciesStmt = db.prepare(`SELECT term, df FROM term_frequencies WHERE term IN (SELECT value FROM json_each(?))`);
    const columns = `p.item_id AS itemId, i.story_id AS storyId, i.feed_id AS feedId, f.outlet, p.published_at AS publishedAt`;
    const from = `FROM item_profiles p JOIN items i ON i.id = p.item_id JOIN feeds f ON f.id = i.feed_id`;
    this.profilesInRangeStmt = db.prepare(`SELECT ${columns}, p.terms, p.bands ${from} WHERE p.published_at BETWEEN ? AND ?`);
    this.countInRangeStmt = db.prepare(`SELECT count(*) FROM item_profiles WHERE published_at BETWEEN ? AND ?`).pluck();
    this.profilesStmt = db.prepare(`SELECT ${columns}, p.profile ${from} WHERE p.item_id IN (SELECT value FROM json_each(?))`);
    this.minhashesStmt = db.prepare(`SELECT item_id AS itemId, minhash FROM item_profiles WHERE item_id IN (SELECT value FROM json_each(?))`);
    this.storyItemsStmt = db.prepare(`
      SELECT i.id FROM items i WHERE i.story_id = ? AND EXISTS (SELECT 1 FROM item_profiles p WHERE p.item_id = i.id)
      ORDER BY i.published_at DESC, i.id DESC LIMIT ?`).pluck();
    this.outletStmt = db.prepare(`SELECT outlet FROM feeds WHERE id = ?`).pluck();
    this.addHintStmt = db.prepare(`INSERT OR IGNORE INTO story_merge_hints (story_id, other_id) VALUES (?, ?)`);
    this.takeHintsStmt = db.prepare(`
      DELETE FROM story_merge_hints WHERE (story_id, other_id) IN (SELECT story_id, other_id FROM story_merge_hints ORDER BY story_id, other_id LIMIT ?)
      RETURNING story_id AS storyId, other_id AS otherId`);
    this.unindexedStmt = db.prepare(`
      SELECT i.id, i.story_id AS storyId, i.feed_id AS feedId, f.outlet, i.title, i.summary, i.content, i.published_at AS publishedAt
      FROM items i JOIN feeds f ON f.id = i.feed_id
      WHERE NOT EXISTS (SELECT 1 FROM item_profiles p WHERE p.item_id = i.id) ORDER BY i.published_at LIMIT ?`);
    this.entryStoriesStmt = db.prepare(`SELECT feed_id AS feedId, entry_key AS entryKey, story_id AS storyId FROM items`);
    this.backfilledStmt = db.prepare(`SELECT 1 FROM meta WHERE key = 'dedup_backfilled'`).pluck();
    this.setBackfilledStmt = db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('dedup_backfilled', '1')`);
  }

  /**
   * Call at the start of each write transaction that clusters: drops what memory holds when the store
   * changed behind it (another connection committed, retention deleted; rollbacks call forget()).
   */
  begin(): void {
    // Counts left by a transaction that rolled back are gone with its items.
    this.pending = new Map();
    this.pendingDocuments = 0;
    // data_version moves only when another connection commits (`npm run poll` beside the server).
    const now = { ...this.storedCounts(), dataVersion: this.dataVersionStmt.get() as number };
    const e = this.expected;
    if (now.documents !== e.documents || now.newestId !== e.newestId || now.dataVersion !== e.dataVersion) this.clearMemory();
    else if (this.frequencyCache.size > MAX_CACHED_TERMS) this.frequencyCache.clear();
    this.expected = now;
  }

  /**
   * Forgets everything held in memory: call when a write transaction rolled back, since what it indexed
   * (an edit's new terms, say) is gone from the store but not from memory.
   */
  forget(): void {
    this.clearMemory();
    this.expected = { documents: -1, newestId: -1, dataVersion: -1 };
  }

  /** Indexes an item; its document frequencies are written by flush(). `replace` for an item indexed before. */
  add(entry: IndexEntry, replace = false): void {
    if (replace) this.remove(entry.itemId);
    for (const term of entry.terms) this.pending.set(term, (this.pending.get(term) ?? 0) + 1);
    this.pendingDocuments++;
    this.addProfileStmt.run(entry.itemId, entry.publishedAt, entry.minhash, JSON.stringify(entry.terms), JSON.stringify(entry.bands), entry.profile);
    this.window.add({ item: { itemId: entry.itemId, storyId: entry.storyId, feedId: entry.feedId, outlet: entry.outlet, publishedAt: entry.publishedAt }, keys: entry });
    this.expected = { ...this.expected, documents: this.expected.documents + 1, newestId: Math.max(this.expected.newestId, entry.itemId) };
  }

  /** Writes the document frequencies of the items indexed since the last flush; call before the transaction ends. */
  flush(): void {
    if (this.pendingDocuments === 0) return;
    // One upsert per term: an INSERT ... SELECT FROM json_each of the whole batch took twice as long.
    for (const [term, count] of this.pending) this.addFrequenciesStmt.run(term, count);
    this.addDocumentsStmt.run(this.pendingDocuments);
    // The cache mirrors the table: what was just added is added to it too.
    for (const [term, count] of this.pending) {
      const cached = this.frequencyCache.get(term);
      if (cached !== undefined) this.frequencyCache.set(term, cached + count);
    }
    this.pending = new Map();
    this.pendingDocuments = 0;
  }

  /** Takes an item out of the index (its document frequencies go down with it, by trigger). */
  remove(itemId: number): void {
    this.flush();
    // The trigger takes the item's counts off; cached ones would be stale (edits are rare: start afresh).
    this.frequencyCache.clear();
    this.dropFromMemory(itemId);
    if (this.removeProfileStmt.run(itemId).changes > 0) this.expected = { ...this.expected, documents: this.expected.documents - 1 };
  }

  /**
   * Takes items deleted in this transaction (their profiles went with them, by cascade) out of memory,
   * and accepts the store's new counts: retention deletes a few items every cycle, and reloading the whole
   * window each time would hold a busy server for a second.
   */
  deleted(itemIds: readonly number[]): void {
    for (const id of itemIds) this.dropFromMemory(id);
    // Deleted profiles took their counts off by trigger: cached frequencies are stale.
    this.frequencyCache.clear();
    this.expected = { ...this.expected, ...this.storedCounts() };
  }

  /** Number of indexed items: the N of inverse document frequency. */
  documentCount(): number {
    return ((this.documentsStmt.get() as number | undefined) ?? 0) + this.pendingDocuments;
  }

  /**
   * Document frequencies of the given terms (unseen terms: 0) as stored, through a cache that mirrors the
   * table (flush() adds to it, deletes drop it): a busy ingest reads the same common terms again and again.
   * Counts of items indexed but not yet flushed are not included (TermStatistics counts a batch itself).
   */
  documentFrequencies(terms: readonly string[]): Map<string, number> {
    const result = new Map<string, number>();
    const missing: string[] = [];
    for (const term of terms) {
      const cached = this.frequencyCache.get(term);
      if (cached === undefined) missing.push(term);
      else result.set(term, cached);
    }
    if (missing.length > 0) {
      for (const term of missing) result.set(term, 0);
      for (const row of this.frequenciesStmt.all(JSON.stringify(missing)) as Array<{ term: string; df: number }>) result.set(row.term, row.df);
      for (const term of missing) this.frequencyCache.set(term, result.get(term)!);
    }
    return result;
  }

  /** Items published within [from, to] sharing weighted terms with a query, best summed weight first. */
  candidates(weights: ReadonlyMap<string, number>, from: number, to: number, limit: number, except: ReadonlySet<number> = new Set()): Array<{ itemId: number; score: number }> {
    this.ensureWindow(from, to);
    return this.window.match(weights, from, to, limit, except);
  }

  /** Items published within [from, to] sharing a MinHash band key, with their story, outlet and MinHash. */
  bandMatches(bands: readonly number[], from: number, to: number): Array<{ itemId: number; storyId: number; outlet: string; minhash: string }> {
    this.ensureWindow(from, to);
    const found = this.window.bandMatches(bands, from, to);
    if (found.length === 0) return [];
    const minhashes = new Map((this.minhashesStmt.all(JSON.stringify(found.map((i) => i.itemId))) as Array<{ itemId: number; minhash: string }>).map((r) => [r.itemId, r.minhash]));
    return found.flatMap((item) => {
      const minhash = minhashes.get(item.itemId);
      return minhash === undefined ? [] : [{ itemId: item.itemId, storyId: this.window.storyOf(item), outlet: item.outlet, minhash }];
    });
  }

  /**
   * The indexed items among these ids, in the given order, with their current story and outlet; those
   * without a derived form in memory come with their stored profile, read in one query.
   */
  items(itemIds: readonly number[]): IndexedItem[] {
    if (itemIds.length === 0) return [];
    const needed = itemIds.filter((id) => this.window.get(id)?.derived === undefined);
    const loaded = new Map(needed.length > 0 ? this.storedProfiles(needed).map((r) => [r.itemId, r]) : []);
    const out: IndexedItem[] = [];
    for (const id of itemIds) {
      const cached = this.window.get(id);
      const row = cached ?? loaded.get(id);
      if (row) out.push({ itemId: row.itemId, storyId: cached ? this.window.storyOf(cached) : row.storyId, feedId: row.feedId, outlet: row.outlet, publishedAt: row.publishedAt, profile: loaded.get(id)?.profile });
    }
    return out;
  }

  /** Keeps the in-memory window right when every item of one story moves to another (call with items.moveStory). */
  storyMoved(from: number, to: number): void {
    this.window.moveStory(from, to);
  }

  /** A story's indexed items, newest first, at most `limit`. */
  storyItems(storyId: number, limit: number): IndexedItem[] {
    return this.items(this.storyItemsStmt.all(storyId, limit) as number[]);
  }

  /**
   * A value derived from an item's profile (parsed, weighed), kept with the item while it is in the
   * in-memory window (an edit re-indexes the item, which drops it); computed afresh otherwise.
   */
  derived<T>(item: Pick<IndexedItem, 'itemId' | 'profile'>, make: (profile: string) => T): T {
    const cached = this.window.get(item.itemId);
    if (cached?.derived !== undefined) {
      this.derivedOrder.delete(cached);
      this.derivedOrder.add(cached);
      return cached.derived as T;
    }
    // The item may have lost its derived form since items() looked (to the bound): read the profile then.
    const profile = item.profile ?? this.storedProfiles([item.itemId])[0]?.profile;
    if (profile === undefined) throw new Error(`item ${item.itemId} is indexed for clustering but has no stored profile`);
    const value = make(profile);
    if (cached) this.keepDerived(cached, value);
    return value;
  }

  /** Keeps with an item in the window what was derived from its profile elsewhere (an item just indexed). */
  rememberDerived(item: Pick<IndexedItem, 'itemId'>, value: unknown): void {
    const cached = this.window.get(item.itemId);
    if (cached) this.keepDerived(cached, value);
  }

  /** The outlet name of a feed. */
  outletOf(feedId: number): string {
    return (this.outletStmt.get(feedId) as string | undefined) ?? `feed:${feedId}`;
  }

  /** Notes that two stories may have become one, for the periodic merge. */
  addMergeHint(storyId: number, otherId: number): void {
    if (storyId !== otherId) this.addHintStmt.run(Math.min(storyId, otherId), Math.max(storyId, otherId));
  }

  /** Up to `limit` pending merge hints, oldest stories first, removed as they are read (ids may since have been merged: resolve them). */
  takeMergeHints(limit: number): Array<{ storyId: number; otherId: number }> {
    return this.takeHintsStmt.all(limit) as Array<{ storyId: number; otherId: number }>;
  }

  /** Items stored before the clustering index existed (or never indexed), oldest first. */
  unindexed(limit: number): UnindexedItem[] {
    return this.unindexedStmt.all(limit) as UnindexedItem[];
  }

  /** True once every item stored before the clustering index existed has been indexed. */
  backfilled(): boolean {
    return this.backfilledStmt.get() !== undefined;
  }

  /** Records that no item is left to index (new items are indexed as they arrive). */
  markBackfilled(): void {
    this.setBackfilledStmt.run();
  }

  /** The story of every stored entry. */
  entryStories(): EntryStory[] {
    return this.entryStoriesStmt.all() as EntryStory[];
  }

  private keepDerived(cached: CachedItem, value: unknown): void {
    if (cached.derived === undefined && this.derivedOrder.size >= MAX_DERIVED) {
      const [oldest] = this.derivedOrder;
      oldest!.derived = undefined;
      this.derivedOrder.delete(oldest!);
    }
    cached.derived = value;
    this.derivedOrder.delete(cached);
    this.derivedOrder.add(cached);
  }

  private storedProfiles(itemIds: readonly number[]): ProfileRow[] {
    return this.profilesStmt.all(JSON.stringify(itemIds)) as ProfileRow[];
  }

  /** Number of indexed items and the newest indexed item id, as stored. */
  private storedCounts(): { documents: number; newestId: number } {
    return { documents: this.documentCount(), newestId: (this.newestIdStmt.get() as number | null) ?? 0 };
  }

  /** Forgets every item held in memory, and the frequencies cached. */
  private clearMemory(): void {
    this.window.clear();
    this.derivedOrder.clear();
    this.frequencyCache.clear();
  }

  /** Takes one item out of memory (the window and the derived forms kept). */
  private dropFromMemory(itemId: number): void {
    const cached = this.window.get(itemId);
    if (cached) this.derivedOrder.delete(cached);
    this.window.delete(itemId);
  }

  private ensureWindow(from: number, to: number): void {
    if (this.window.covers(from, to)) return this.window.followWindow(from);
    this.window.ensure(
      from,
      to,
      (this.newestPublishedStmt.get() as number | null) ?? Number.NEGATIVE_INFINITY,
      (a, b) => this.loadRange(a, b),
      (a, b) => this.countInRangeStmt.get(a, b) as number,
    );
  }

  private loadRange(from: number, to: number): WindowEntry[] {
    return (this.profilesInRangeStmt.all(from, to) as WindowRow[]).map((row) => ({
      item: { itemId: row.itemId, storyId: row.storyId, feedId: row.feedId, outlet: row.outlet, publishedAt: row.publishedAt },
      keys: { terms: JSON.parse(row.terms) as string[], bands: JSON.parse(row.bands) as number[] },
    }));
  }
}
