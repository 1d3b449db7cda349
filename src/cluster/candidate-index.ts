import type { ClusterTables, ProfiledItem, StoredProfile } from '../store/cluster-tables.js';
import { RecencyList } from './recency-list.js';
import { WindowCache, type CachedItem } from './window-cache.js';

/** An indexed item as clustering compares it: where it lives and who published it (its profile: derived()). */
export interface IndexedItem extends ProfiledItem {
  /** The stored profile (JSON), read along when the item had no derived form in memory. */
  profile?: string;
}

/** What indexing an item stores: its profile, and where it lives. */
export interface IndexEntry extends StoredProfile {
  storyId: number;
  feedId: number;
  outlet: string;
}

/** Most cached frequencies: bounds memory whatever the vocabulary. */
const MAX_CACHED_TERMS = 100_000;
/**
 * Most items that keep a derived (parsed and weighed) form: about 2.3 KB each (dedup/weighed-item.ts). A busy
 * window holds tens of thousands of items; the ones compared lately keep theirs, the others are derived again
 * when needed.
 */
const MAX_DERIVED = 8_000;

/**
 * Clustering's in-memory view of the stored profiles (ClusterTables): the inverted index and MinHash band
 * index over the active window, the items' derived (parsed, weighed) forms, and a cache of document
 * frequencies. Rebuilt from the store on demand: it drops what it holds when the store changed behind it.
 * The one writer of profiles and frequencies (the ingest thread, or `npm run poll`) owns one.
 */
export class CandidateIndex {
  private readonly window: WindowCache;
  private readonly frequencyCache = new Map<string, number>();
  /** Items holding a derived form, the least recently used first. */
  private readonly derivedOrder = new RecencyList<CachedItem>();
  /** Document frequencies of items indexed in this transaction, written together by flush(). */
  private pending = new Map<string, number>();
  private pendingDocuments = 0;
  /** What this connection last left in the store: a mismatch means another writer or a rollback. */
  private expected = { documents: -1, newestId: -1, dataVersion: -1 };
  private changes = 0;

  /** `windowMs` sizes the index: it keeps about two windows of published time behind the newest lookup. */
  constructor(
    private readonly tables: ClusterTables,
    windowMs: number,
  ) {
    this.window = new WindowCache(2 * windowMs);
  }

  /** Moves whenever what a lookup finds or which story it names may have changed (items added or removed, stories moved, memory dropped). */
  get version(): number {
    return this.changes;
  }

  /**
   * Call at the start of each write transaction that clusters: drops what memory holds when the store
   * changed behind it (another connection committed, retention deleted; rollbacks call forget()).
   */
  begin(): void {
    // Counts left by a transaction that rolled back are gone with its items.
    this.pending = new Map();
    this.pendingDocuments = 0;
    const now = { ...this.storedCounts(), dataVersion: this.tables.dataVersion() };
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
    this.tables.addProfile(entry);
    this.changes++;
    this.window.add({ item: { itemId: entry.itemId, storyId: entry.storyId, feedId: entry.feedId, outlet: entry.outlet, publishedAt: entry.publishedAt }, keys: entry });
    this.expected = { ...this.expected, documents: this.expected.documents + 1, newestId: Math.max(this.expected.newestId, entry.itemId) };
  }

  /** Writes the document frequencies of the items indexed since the last flush; call before the transaction ends. */
  flush(): void {
    if (this.pendingDocuments === 0) return;
    this.tables.addFrequencies(this.pending, this.pendingDocuments);
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
    if (this.tables.removeProfile(itemId)) this.expected = { ...this.expected, documents: this.expected.documents - 1 };
  }

  /**
   * Takes items deleted in this transaction (their profiles went with them, by cascade) out of memory,
   * and accepts the store's new counts: retention deletes a few items every cycle, and reloading the whole
   * window each time would hold a busy server for a second.
   */
  deleted(itemIds: readonly number[]): void {
    this.changes++;
    for (const id of itemIds) this.dropFromMemory(id);
    // Deleted profiles took their counts off by trigger: cached frequencies are stale.
    this.frequencyCache.clear();
    this.expected = { ...this.expected, ...this.storedCounts() };
  }

  /** Number of indexed items, those not yet flushed included: the N of inverse document frequency. */
  documentCount(): number {
    return this.tables.documentCount() + this.pendingDocuments;
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
      for (const row of this.tables.frequencies(missing)) result.set(row.term, row.df);
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
    const minhashes = this.tables.minhashes(found.map((i) => i.itemId));
    return found.flatMap((item) => {
      const minhash = minhashes.get(item.itemId);
      return minhash === undefined ? [] : [{ itemId: item.itemId, storyId: this.window.storyOf(item), outlet: item.outlet, minhash }];
    });
  }

  /**
   * The indexed items among these ids, in the given order, with their current story and outlet; those
   * without a derived form in memory come with their stored profile, read in one query (only the profile
   * for items held in the window, which knows the rest).
   */
  items(itemIds: readonly number[]): IndexedItem[] {
    if (itemIds.length === 0) return [];
    const held: number[] = [];
    const unheld: number[] = [];
    for (const id of itemIds) {
      const cached = this.window.get(id);
      if (!cached) unheld.push(id);
      else if (cached.derived === undefined) held.push(id);
    }
    const texts = held.length > 0 ? this.tables.profileTexts(held) : new Map<number, string>();
    const rows = new Map(unheld.length > 0 ? this.tables.profiles(unheld).map((r) => [r.itemId, r]) : []);
    const out: IndexedItem[] = [];
    for (const id of itemIds) {
      const cached = this.window.get(id);
      if (cached) out.push({ itemId: id, storyId: this.window.storyOf(cached), feedId: cached.feedId, outlet: cached.outlet, publishedAt: cached.publishedAt, profile: texts.get(id) });
      else if (rows.has(id)) out.push(rows.get(id)!);
    }
    return out;
  }

  /** Keeps the in-memory window right when every item of one story moves to another (call with items.moveStory). */
  storyMoved(from: number, to: number): void {
    this.changes++;
    this.window.moveStory(from, to);
  }

  /** A story's indexed items, newest first, at most `limit`. */
  storyItems(storyId: number, limit: number): IndexedItem[] {
    return this.items(this.tables.storyItemIds(storyId, limit));
  }

  /**
   * A value derived from an item's profile (parsed, weighed), kept with the item while it is in the
   * in-memory window (an edit re-indexes the item, which drops it); computed afresh otherwise.
   */
  derived<T>(item: Pick<IndexedItem, 'itemId' | 'profile'>, make: (profile: string) => T): T {
    const cached = this.window.get(item.itemId);
    if (cached?.derived !== undefined) {
      this.derivedOrder.touch(cached);
      return cached.derived as T;
    }
    // The item may have lost its derived form since items() looked (to the bound): read the profile then.
    const profile = item.profile ?? this.tables.profileTexts([item.itemId]).get(item.itemId);
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

  private keepDerived(cached: CachedItem, value: unknown): void {
    if (cached.derived === undefined && this.derivedOrder.size >= MAX_DERIVED) {
      const oldest = this.derivedOrder.oldest()!;
      oldest.derived = undefined;
      this.derivedOrder.remove(oldest);
    }
    cached.derived = value;
    this.derivedOrder.touch(cached);
  }

  /** Number of indexed items and the newest indexed item id, as stored. */
  private storedCounts(): { documents: number; newestId: number } {
    return { documents: this.documentCount(), newestId: this.tables.newestItemId() };
  }

  /** Forgets every item held in memory, and the frequencies cached. */
  private clearMemory(): void {
    this.changes++;
    this.window.clear();
    this.derivedOrder.clear();
    this.frequencyCache.clear();
  }

  /** Takes one item out of memory (the window and the derived forms kept). */
  private dropFromMemory(itemId: number): void {
    this.changes++;
    const cached = this.window.get(itemId);
    if (cached) this.derivedOrder.remove(cached);
    this.window.delete(itemId);
  }

  private ensureWindow(from: number, to: number): void {
    if (this.window.covers(from, to)) return this.window.followWindow(from);
    this.window.ensure(
      from,
      to,
      this.tables.newestPublishedAt(),
      (a, b) => this.tables.keysInRange(a, b),
      (a, b) => this.tables.countInRange(a, b),
    );
  }
}
