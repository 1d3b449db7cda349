import type Database from 'better-sqlite3';

/** What a curator said about stories: `merge` (story into other), `split` (items of story into other, new), `apart` (story from other). */
export type CorrectionKind = 'merge' | 'split' | 'apart';

/** A stored correction with the items of each side as they were when it was made (still stored ones). */
export interface StoredCorrection {
  id: number;
  kind: CorrectionKind;
  storyId: number;
  otherId: number;
  at: number;
  /** Items of `storyId` (for a split: those that stayed) and of `otherId` (for a split: those moved). */
  sides: [number[], number[]];
}

/** An item of a correction, with what a labeled pair for training needs. */
export interface CorrectionItem {
  correctionId: number;
  side: 0 | 1;
  itemId: number;
  outlet: string;
  title: string;
  summary: string;
  publishedAt: number;
}

/** From the items of story ? to those of story ?, via a split or apart correction whose two sides they are on. */
const APART_BETWEEN = `FROM items ia
  JOIN correction_items x ON x.item_id = ia.id
  JOIN story_corrections c ON c.id = x.correction_id AND c.kind <> 'merge'
  JOIN correction_items y ON y.correction_id = x.correction_id AND y.side <> x.side
  JOIN items ib ON ib.id = y.item_id
  WHERE ia.story_id = ? AND ib.story_id = ?`;

/** The story_corrections and correction_items tables: curator decisions that every automatic stage obeys. */
export class Corrections {
  private readonly addStmt;
  private readonly addItemStmt;
  private readonly apartStmt;
  private readonly forStoryStmt;
  private readonly itemsOfStmt;
  private readonly allStmt;
  private readonly exportItemsStmt;
  private readonly forgetApartStmt;
  private readonly deleteEmptyStmt;

  constructor(db: Database.Database) {
    this.addStmt = db.prepare(`INSERT INTO story_corrections (kind, story_id, other_id, at) VALUES (?, ?, ?, ?)`);
    this.addItemStmt = db.prepare(`INSERT OR IGNORE INTO correction_items (correction_id, side, item_id) VALUES (?, ?, ?)`);
    // Some "apart" or "split" correction has one side among a's items and the other among b's.
    this.apartStmt = db.prepare(`SELECT x.correction_id ${APART_BETWEEN} LIMIT 1`).pluck();
    // Corrections naming this story, one merged into it, or one of its items.
    this.forStoryStmt = db.prepare(`
      SELECT id, kind, story_id AS storyId, other_id AS otherId, at FROM story_corrections
      WHERE story_id IN (SELECT id FROM stories WHERE id = @id OR merged_into = @id)
        OR other_id IN (SELECT id FROM stories WHERE id = @id OR merged_into = @id)
        OR id IN (SELECT x.correction_id FROM correction_items x JOIN items i ON i.id = x.item_id WHERE i.story_id = @id)
      ORDER BY at, id`);
    this.itemsOfStmt = db.prepare(`SELECT side, item_id AS itemId FROM correction_items WHERE correction_id = ? ORDER BY side, item_id`);
    this.allStmt = db.prepare(`SELECT id, kind, story_id AS storyId, other_id AS otherId, at FROM story_corrections ORDER BY at, id`);
    this.exportItemsStmt = db.prepare(`
      SELECT x.correction_id AS correctionId, x.side, i.id AS itemId, f.outlet, i.title, i.summary, i.published_at AS publishedAt
      FROM correction_items x JOIN items i ON i.id = x.item_id JOIN feeds f ON f.id = i.feed_id
      ORDER BY x.correction_id, x.side, i.id`);
    // A later merge of the two stories overrules what kept them apart: those corrections lose their items here.
    this.forgetApartStmt = db.prepare(`DELETE FROM correction_items WHERE correction_id IN (SELECT x.correction_id ${APART_BETWEEN})`);
    this.deleteEmptyStmt = db.prepare(`DELETE FROM story_corrections WHERE NOT EXISTS (SELECT 1 FROM correction_items x WHERE x.correction_id = story_corrections.id)`);
  }

  /** Records a correction with the items of each side; returns its id. */
  add(kind: CorrectionKind, storyId: number, otherId: number, at: number, sides: [readonly number[], readonly number[]]): number {
    const id = Number(this.addStmt.run(kind, storyId, otherId, at).lastInsertRowid);
    sides.forEach((items, side) => {
      for (const itemId of items) this.addItemStmt.run(id, side, itemId);
    });
    return id;
  }

  /** The id of a correction that forbids stories a and b to become one, or null when none does. */
  keptApart(a: number, b: number): number | null {
    if (a === b) return null;
    return (this.apartStmt.get(a, b) as number | undefined) ?? null;
  }

  /** Drops what kept stories a and b apart (a curator merged them after all); returns how many item rows went. */
  forgetApart(a: number, b: number): number {
    // The join matches either side on either story: one run covers both orders.
    return this.forgetApartStmt.run(a, b).changes;
  }

  /** Corrections about a story (its merged-away ids and its items included), oldest first. */
  forStory(storyId: number): StoredCorrection[] {
    return (this.forStoryStmt.all({ id: storyId }) as Array<Omit<StoredCorrection, 'sides'>>).map((c) => this.withSides(c));
  }

  /** Every correction, oldest first, without its items (exportItems() has them). */
  all(): Array<Omit<StoredCorrection, 'sides'>> {
    return this.allStmt.all() as Array<Omit<StoredCorrection, 'sides'>>;
  }

  /** Every still-stored item of every correction, with its text, by correction and side. */
  exportItems(): CorrectionItem[] {
    return this.exportItemsStmt.all() as CorrectionItem[];
  }

  /** Deletes corrections none of whose items is stored any more (after retention). */
  deleteEmpty(): number {
    return this.deleteEmptyStmt.run().changes;
  }

  private withSides(c: Omit<StoredCorrection, 'sides'>): StoredCorrection {
    const sides: [number[], number[]] = [[], []];
    for (const row of this.itemsOfStmt.all(c.id) as Array<{ side: 0 | 1; itemId: number }>) sides[row.side].push(row.itemId);
    return { ...c, sides };
  }
}
