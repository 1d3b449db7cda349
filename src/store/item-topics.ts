import type Database from 'better-sqlite3';

/** One topic an item fits, as stored: why (section, rule, classifier) and the detail shown by the API. */
export interface StoredItemTopic {
  tag: string;
  evidence: 'section' | 'rule' | 'classifier';
  detail: string;
}

/** What deciding an item's topics reads of it. */
export interface ItemTopicSource {
  id: number;
  title: string;
  summary: string;
  content: string | null;
  categories: string;
  link: string | null;
}

/**
 * The story-listing condition for an item `i` of a "match"-mode feed: it fits one of the selected topics that
 * its feed is tagged with. @itemTopics is a JSON array of "feedId:tag" keys (TopicCatalog.select); the
 * primary key (item_id, tag) makes this one index probe per item.
 */
export const ITEM_TOPIC_MATCH = `EXISTS (SELECT 1 FROM item_topics t WHERE t.item_id = i.id AND (i.feed_id || ':' || t.tag) IN (SELECT value FROM json_each(@itemTopics)))`;

/** The meta key holding the fingerprint of the topic rules the stored rows were computed under. */
const FINGERPRINT_KEY = 'item_topics_rules';

/** The item_topics table: which configured topics each stored item fits. */
export class ItemTopics {
  private readonly deleteStmt;
  private readonly insertStmt;
  private readonly forItemsStmt;
  private readonly pageStmt;
  private readonly fingerprintStmt;
  private readonly setFingerprintStmt;

  constructor(db: Database.Database) {
    this.deleteStmt = db.prepare(`DELETE FROM item_topics WHERE item_id = ?`);
    this.insertStmt = db.prepare(`INSERT OR REPLACE INTO item_topics (item_id, tag, evidence, detail) VALUES (?, ?, ?, ?)`);
    this.forItemsStmt = db.prepare(`
      SELECT item_id AS itemId, tag, evidence, detail FROM item_topics
      WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, tag`);
    this.pageStmt = db.prepare(`SELECT id, title, summary, content, categories, link FROM items WHERE id > ? ORDER BY id LIMIT ?`);
    this.fingerprintStmt = db.prepare(`SELECT value FROM meta WHERE key = '${FINGERPRINT_KEY}'`).pluck();
    this.setFingerprintStmt = db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('${FINGERPRINT_KEY}', ?)`);
  }

  /** Replaces the topics of one item. */
  set(itemId: number, topics: readonly StoredItemTopic[]): void {
    this.deleteStmt.run(itemId);
    for (const t of topics) this.insertStmt.run(itemId, t.tag, t.evidence, t.detail);
  }

  /** The stored topics of these items, by item id (items fitting no topic are absent). */
  forItems(itemIds: readonly number[]): Map<number, StoredItemTopic[]> {
    const out = new Map<number, StoredItemTopic[]>();
    if (itemIds.length === 0) return out;
    for (const row of this.forItemsStmt.all(JSON.stringify(itemIds)) as Array<StoredItemTopic & { itemId: number }>) {
      const { itemId, ...topic } = row;
      const list = out.get(itemId);
      if (list) list.push(topic);
      else out.set(itemId, [topic]);
    }
    return out;
  }

  /** Up to `limit` items with ids above `afterId`, in id order: the recompute job's next batch. */
  page(afterId: number, limit: number): ItemTopicSource[] {
    return this.pageStmt.all(afterId, limit) as ItemTopicSource[];
  }

  /** The fingerprint of the rules every stored item's topics were last computed under; null before the first run. */
  fingerprint(): string | null {
    return (this.fingerprintStmt.get() as string | undefined) ?? null;
  }

  /** Records that every stored item's topics follow the rules with this fingerprint. */
  setFingerprint(value: string): void {
    this.setFingerprintStmt.run(value);
  }
}
