import type Database from 'better-sqlite3';

/** A media file attached to an item (podcast audio, a photo), as stored in items.enclosure (JSON). */
export interface Enclosure {
  url: string;
  type: string | null;
  length: number | null;
}

/** An item row as written by ingest. Times are milliseconds since the epoch; lists are JSON text. */
export interface ItemRecord {
  feedId: number;
  storyId: number;
  entryKey: string;
  guid: string | null;
  link: string | null;
  title: string;
  summary: string;
  content: string | null;
  author: string | null;
  publishedAt: number;
  hasDate: 0 | 1;
  updatedAt: number | null;
  firstSeenAt: number;
  changedAt: number;
  categories: string;
  enclosure: string | null;
  image: string | null;
  contentHash: string;
}

/** What ingest needs to know of an item already stored under the same entry key. */
export interface KnownItem {
  id: number;
  storyId: number;
  contentHash: string;
  firstSeenAt: number;
  publishedAt: number;
}

/** A member of a story, as clustering and the representative choice see it. */
export interface MemberItem {
  id: number;
  feedId: number;
  title: string;
  summary: string;
  publishedAt: number;
}

/** The items and item_keys tables. */
export class Items {
  private readonly findStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly addKeyStmt;
  private readonly deleteKeysStmt;
  private readonly storiesByKeyStmt;
  private readonly storiesByTitleStmt;
  private readonly membersStmt;
  private readonly moveStmt;
  private readonly moveItemsStmt;
  private readonly pruneStmt;

  constructor(db: Database.Database) {
    this.findStmt = db.prepare(`
      SELECT id, story_id AS storyId, content_hash AS contentHash, first_seen_at AS firstSeenAt, published_at AS publishedAt
      FROM items WHERE feed_id = ? AND entry_key = ?`);
    this.insertStmt = db.prepare(`
      INSERT INTO items (feed_id, story_id, entry_key, guid, link, title, summary, content, author, published_at,
        has_date, updated_at, first_seen_at, changed_at, categories, enclosure, image, content_hash)
      VALUES (@feedId, @storyId, @entryKey, @guid, @link, @title, @summary, @content, @author, @publishedAt,
        @hasDate, @updatedAt, @firstSeenAt, @changedAt, @categories, @enclosure, @image, @contentHash)`);
    this.updateStmt = db.prepare(`
      UPDATE items SET guid = @guid, link = @link, title = @title, summary = @summary, content = @content,
        author = @author, published_at = @publishedAt, has_date = @hasDate, updated_at = @updatedAt,
        changed_at = @changedAt, categories = @categories, enclosure = @enclosure, image = @image,
        content_hash = @contentHash
      WHERE id = @id`);
    this.addKeyStmt = db.prepare(`INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)`);
    this.deleteKeysStmt = db.prepare(`DELETE FROM item_keys WHERE item_id = ?`);
    this.storiesByKeyStmt = db.prepare(`
      SELECT DISTINCT i.story_id AS storyId
      FROM item_keys k JOIN items i ON i.id = k.item_id
      WHERE k.key IN (SELECT value FROM json_each(?)) AND i.id <> ?`);
    this.storiesByTitleStmt = db.prepare(`
      SELECT DISTINCT i.story_id AS storyId
      FROM item_keys k JOIN items i ON i.id = k.item_id
      WHERE k.key = ? AND i.id <> ? AND i.feed_id <> ? AND i.published_at BETWEEN ? AND ?`);
    this.membersStmt = db.prepare(`
      SELECT id, feed_id AS feedId, title, summary, published_at AS publishedAt
      FROM items WHERE story_id = ? ORDER BY published_at, id`);
    this.moveStmt = db.prepare(`UPDATE items SET story_id = ? WHERE story_id = ?`);
    this.moveItemsStmt = db.prepare(`UPDATE items SET story_id = ? WHERE id IN (SELECT value FROM json_each(?))`);
    this.pruneStmt = db.prepare(`
      DELETE FROM items WHERE id IN (
        SELECT id FROM (
          SELECT id, feed_id, first_seen_at, row_number() OVER (PARTITION BY feed_id ORDER BY published_at DESC, id DESC) AS rank
          FROM items
        ) WHERE first_seen_at < @cutoff AND rank > CASE WHEN feed_id IN (SELECT value FROM json_each(@removed)) THEN 0 ELSE @keep END
      )
      RETURNING id, story_id AS storyId, feed_id AS feedId`);
  }

  /** The item a feed already stored under `entryKey`, if any. */
  find(feedId: number, entryKey: string): KnownItem | undefined {
    return this.findStmt.get(feedId, entryKey) as KnownItem | undefined;
  }

  /** Stores a new item; returns its id. */
  insert(record: ItemRecord): number {
    return Number(this.insertStmt.run(record).lastInsertRowid);
  }

  /** Rewrites an item's content in place (same id, same story). */
  update(id: number, record: Omit<ItemRecord, 'feedId' | 'storyId' | 'entryKey' | 'firstSeenAt'>): void {
    this.updateStmt.run({ ...record, id });
  }

  /** Replaces the exact merge keys of an item. */
  setKeys(itemId: number, keys: readonly string[]): void {
    this.deleteKeysStmt.run(itemId);
    for (const key of keys) this.addKeyStmt.run(key, itemId);
  }

  /** Stories holding another item with any of these URL or guid keys. */
  storiesWithKeys(keys: readonly string[], exceptItemId: number): number[] {
    if (keys.length === 0) return [];
    return (this.storiesByKeyStmt.all(JSON.stringify(keys), exceptItemId) as Array<{ storyId: number }>).map((r) => r.storyId);
  }

  /** Stories holding an item of another feed with this title key, published within [from, to]. */
  storiesWithTitle(titleKey: string, exceptItemId: number, feedId: number, from: number, to: number): number[] {
    return (this.storiesByTitleStmt.all(titleKey, exceptItemId, feedId, from, to) as Array<{ storyId: number }>).map((r) => r.storyId);
  }

  /** The items of a story, oldest first. */
  members(storyId: number): MemberItem[] {
    return this.membersStmt.all(storyId) as MemberItem[];
  }

  /**
   * Deletes items first seen before `cutoff`, except each feed's `keep` newest (none for the `removed` feeds,
   * no longer in the config); returns how many, which, and the stories and feeds that lost items.
   */
  pruneOlderThan(cutoff: number, keep: number, removed: readonly number[] = []): { deleted: number; ids: number[]; stories: Set<number>; feeds: Set<number> } {
    const rows = this.pruneStmt.all({ cutoff, keep, removed: JSON.stringify(removed) }) as Array<{ id: number; storyId: number; feedId: number }>;
    return { deleted: rows.length, ids: rows.map((r) => r.id), stories: new Set(rows.map((r) => r.storyId)), feeds: new Set(rows.map((r) => r.feedId)) };
  }

  /** Moves every item of one story into another. */
  moveStory(fromStoryId: number, toStoryId: number): void {
    this.moveStmt.run(toStoryId, fromStoryId);
  }

  /** Moves some items into another story (a curator's split). */
  moveItems(itemIds: readonly number[], toStoryId: number): void {
    this.moveItemsStmt.run(toStoryId, JSON.stringify(itemIds));
  }
}
