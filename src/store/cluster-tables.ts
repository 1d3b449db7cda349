import type Database from 'better-sqlite3';

/** An item's clustering profile as stored: what later items are matched and compared against. */
export interface StoredProfile {
  itemId: number;
  publishedAt: number;
  minhash: string;
  /** Distinct terms: postings and document frequencies. */
  terms: readonly string[];
  bands: readonly number[];
  /** The item's profile (JSON), parsed by clustering when it compares the item. */
  profile: string;
}

/** Where a profiled item lives and who published it. */
export interface ProfiledItem {
  itemId: number;
  storyId: number;
  feedId: number;
  outlet: string;
  publishedAt: number;
}

/** A profiled item with the keys it is found by (its distinct terms, its MinHash band keys), as the candidate index loads it. */
export interface ProfiledKeys {
  item: ProfiledItem;
  keys: { terms: string[]; bands: number[] };
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

/**
 * The clustering state the store keeps: item profiles, document frequencies (kept exact by triggers when
 * profiles go), the backfill mark and merge hints. The in-memory candidate index over them is clustering's
 * (src/cluster/candidate-index.ts).
 */
export class ClusterTables {
  private readonly addProfileStmt;
  private readonly addFrequencyStmt;
  private readonly addDocumentsStmt;
  private readonly removeProfileStmt;
  private readonly documentsStmt;
  private readonly newestIdStmt;
  private readonly newestPublishedStmt;
  private readonly frequenciesStmt;
  private readonly profilesInRangeStmt;
  private readonly countInRangeStmt;
  private readonly profilesStmt;
  private readonly profileTextsStmt;
  private readonly minhashesStmt;
  private readonly storyItemsStmt;
  private readonly outletStmt;
  private readonly addHintStmt;
  private readonly takeHintsStmt;
  private readonly unindexedStmt;
  private readonly entryStoriesStmt;
  private readonly backfilledStmt;
  private readonly setBackfilledStmt;
  private readonly dataVersionStmt;

  constructor(db: Database.Database) {
    this.dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
    this.addProfileStmt = db.prepare(`INSERT INTO item_profiles (item_id, published_at, minhash, terms, bands, profile) VALUES (?, ?, ?, ?, ?, ?)`);
    this.addFrequencyStmt = db.prepare(`
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
    this.profileTextsStmt = db.prepare(`SELECT item_id AS itemId, profile FROM item_profiles WHERE item_id IN (SELECT value FROM json_each(?))`);
    this.minhashesStmt = db.prepare(`SELECT item_id AS itemId, minhash FROM item_profiles WHERE item_id IN (SELECT value FROM json_each(?))`);
    this.storyItemsStmt = db.prepare(`
      SELECT i.id FROM items i WHERE i.story_id = ? AND EXISTS (SELECT 1 FROM item_profiles p WHERE p.item_id = i.id)
      ORDER BY i.published_at DESC, i.id DESC LIMIT ?`).pluck();
    this.outletStmt = db.prepare(`SELECT outlet FROM feeds WHERE id = ?`).pluck();
    this.addHintStmt = db.prepare(`INSERT OR IGNORE INTO story_merge_hints (story_id, other_id, noted_for) VALUES (?, ?, ?)`);
    this.takeHintsStmt = db.prepare(`
      DELETE FROM story_merge_hints WHERE (story_id, other_id) IN (SELECT story_id, other_id FROM story_merge_hints ORDER BY noted_for, story_id, other_id LIMIT ?)
      RETURNING story_id AS storyId, other_id AS otherId, noted_for AS notedFor`);
    this.unindexedStmt = db.prepare(`
      SELECT i.id, i.story_id AS storyId, i.feed_id AS feedId, f.outlet, i.title, i.summary, i.content, i.published_at AS publishedAt
      FROM items i JOIN feeds f ON f.id = i.feed_id
      WHERE NOT EXISTS (SELECT 1 FROM item_profiles p WHERE p.item_id = i.id) ORDER BY i.published_at LIMIT ?`);
    this.entryStoriesStmt = db.prepare(`SELECT feed_id AS feedId, entry_key AS entryKey, story_id AS storyId FROM items`);
    this.backfilledStmt = db.prepare(`SELECT 1 FROM meta WHERE key = 'dedup_backfilled'`).pluck();
    this.setBackfilledStmt = db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('dedup_backfilled', '1')`);
  }

  /** Stores an item's profile. */
  addProfile(p: StoredProfile): void {
    this.addProfileStmt.run(p.itemId, p.publishedAt, p.minhash, JSON.stringify(p.terms), JSON.stringify(p.bands), p.profile);
  }

  /** Adds indexed items' document frequencies (term → items) and their number to the stored counts. */
  addFrequencies(frequencies: ReadonlyMap<string, number>, documents: number): void {
    // One upsert per term: an INSERT ... SELECT FROM json_each of the whole batch took twice as long.
    for (const [term, count] of frequencies) this.addFrequencyStmt.run(term, count);
    this.addDocumentsStmt.run(documents);
  }

  /** Deletes an item's profile (its document frequencies go down with it, by trigger); false when it had none. */
  removeProfile(itemId: number): boolean {
    return this.removeProfileStmt.run(itemId).changes > 0;
  }

  /** Number of profiled items as stored: the N of inverse document frequency. */
  documentCount(): number {
    return (this.documentsStmt.get() as number | undefined) ?? 0;
  }

  /** The newest profiled item's id (0: none). */
  newestItemId(): number {
    return (this.newestIdStmt.get() as number | null) ?? 0;
  }

  /** The latest published time among profiled items (-∞: none). */
  newestPublishedAt(): number {
    return (this.newestPublishedStmt.get() as number | null) ?? Number.NEGATIVE_INFINITY;
  }

  /** Moves whenever another connection commits (`npm run poll` beside the server). */
  dataVersion(): number {
    return this.dataVersionStmt.get() as number;
  }

  /** Stored document frequencies of these terms (terms never seen are left out). */
  frequencies(terms: readonly string[]): Array<{ term: string; df: number }> {
    return this.frequenciesStmt.all(JSON.stringify(terms)) as Array<{ term: string; df: number }>;
  }

  /** Profiled items published within [from, to], with the keys they are found by. */
  keysInRange(from: number, to: number): ProfiledKeys[] {
    return (this.profilesInRangeStmt.all(from, to) as Array<ProfiledItem & { terms: string; bands: string }>).map(({ terms, bands, ...item }) => ({
      item,
      keys: { terms: JSON.parse(terms) as string[], bands: JSON.parse(bands) as number[] },
    }));
  }

  /** Number of profiled items published within [from, to]. */
  countInRange(from: number, to: number): number {
    return this.countInRangeStmt.get(from, to) as number;
  }

  /** These items with their stored profile (JSON), in no particular order; items without one are left out. */
  profiles(itemIds: readonly number[]): Array<ProfiledItem & { profile: string }> {
    return this.profilesStmt.all(JSON.stringify(itemIds)) as Array<ProfiledItem & { profile: string }>;
  }

  /** The stored profiles (JSON) of these items, by item id: for items whose story and outlet are known already (half the cost of profiles()). */
  profileTexts(itemIds: readonly number[]): Map<number, string> {
    return new Map((this.profileTextsStmt.all(JSON.stringify(itemIds)) as Array<{ itemId: number; profile: string }>).map((r) => [r.itemId, r.profile]));
  }

  /** The MinHash signatures of these items, by item id. */
  minhashes(itemIds: readonly number[]): Map<number, string> {
    return new Map((this.minhashesStmt.all(JSON.stringify(itemIds)) as Array<{ itemId: number; minhash: string }>).map((r) => [r.itemId, r.minhash]));
  }

  /** Ids of a story's profiled items, newest first, at most `limit`. */
  storyItemIds(storyId: number, limit: number): number[] {
    return this.storyItemsStmt.all(storyId, limit) as number[];
  }

  /** The outlet name of a feed. */
  outletOf(feedId: number): string {
    return (this.outletStmt.get(feedId) as string | undefined) ?? `feed:${feedId}`;
  }

  /** Notes that two stories may have become one, for the periodic merge; `notedFor`: the publication time of the item that found both. */
  addMergeHint(storyId: number, otherId: number, notedFor: number): void {
    if (storyId !== otherId) this.addHintStmt.run(Math.min(storyId, otherId), Math.max(storyId, otherId), notedFor);
  }

  /**
   * Up to `limit` pending merge hints in the order of the times they were noted for (then story ids), removed
   * as they are read (ids may since have been merged: resolve them).
   */
  takeMergeHints(limit: number): Array<{ storyId: number; otherId: number; notedFor: number }> {
    const hints = this.takeHintsStmt.all(limit) as Array<{ storyId: number; otherId: number; notedFor: number }>;
    return hints.sort((a, b) => a.notedFor - b.notedFor || a.storyId - b.storyId || a.otherId - b.otherId);
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
}
