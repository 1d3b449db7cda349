import type Database from 'better-sqlite3';

/** The stories table, write side: creation, aggregates, merges, and the change counter. */
export class Stories {
  private readonly createStmt;
  private readonly refreshStmt;
  private readonly mergeStmt;
  private readonly repointStmt;
  private readonly bumpVersionStmt;
  private readonly refreshAllCountsStmt;
  private readonly mergedIntoStmt;
  private readonly deleteEmptyShellsStmt;
  private readonly deleteEmptyStmt;

  constructor(db: Database.Database) {
    this.createStmt = db.prepare(`
      INSERT INTO stories (first_published_at, last_published_at, created_at, changed_at) VALUES (?, ?, ?, ?)`);
    this.refreshStmt = db.prepare(`
      UPDATE stories SET
        first_published_at = coalesce((SELECT min(published_at) FROM items WHERE story_id = @id), first_published_at),
        last_published_at = coalesce((SELECT max(published_at) FROM items WHERE story_id = @id), last_published_at),
        item_count = (SELECT count(*) FROM items WHERE story_id = @id),
        source_count = (SELECT count(DISTINCT f.outlet) FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.story_id = @id),
        representative_item_id = @representativeId,
        changed_at = @now,
        version = @version
      WHERE id = @id`);
    this.mergeStmt = db.prepare(`
      UPDATE stories SET merged_into = @survivor, item_count = 0, source_count = 0, changed_at = @now, version = @version
      WHERE id = @absorbed`);
    this.repointStmt = db.prepare(`UPDATE stories SET merged_into = @survivor WHERE merged_into = @absorbed`);
    this.bumpVersionStmt = db.prepare(`UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'story_version' RETURNING CAST(value AS INTEGER) AS v`);
    this.refreshAllCountsStmt = db.prepare(`
      UPDATE stories SET source_count = (SELECT count(DISTINCT f.outlet) FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.story_id = stories.id)
      WHERE merged_into IS NULL`);
    this.mergedIntoStmt = db.prepare(`SELECT merged_into AS m FROM stories WHERE id = ?`);
    const empty = `merged_into IS NULL AND NOT EXISTS (SELECT 1 FROM items i WHERE i.story_id = stories.id)`;
    // Merged-away ids only exist to redirect to their survivor; they go when the survivor goes.
    this.deleteEmptyShellsStmt = db.prepare(`DELETE FROM stories WHERE merged_into IN (SELECT id FROM stories WHERE ${empty})`);
    this.deleteEmptyStmt = db.prepare(`DELETE FROM stories WHERE ${empty}`);
  }

  /** Starts a new, empty story; returns its id (which never changes afterwards). */
  create(publishedAt: number, now: number): number {
    return Number(this.createStmt.run(publishedAt, publishedAt, now, now).lastInsertRowid);
  }

  /** Recomputes a story's dates and counts from its items and records its representative item. */
  refresh(id: number, representativeId: number | null, now: number, version: number): void {
    this.refreshStmt.run({ id, representativeId, now, version });
  }

  /** Marks `absorbed` as merged into `survivor` (its items must already have moved). */
  markMerged(absorbed: number, survivor: number, now: number, version: number): void {
    this.mergeStmt.run({ absorbed, survivor, now, version });
    this.repointStmt.run({ absorbed, survivor });
  }

  /** Follows merges: the story that a (possibly merged) story id now lives in, or null if unknown. */
  resolve(id: number): number | null {
    let current = id;
    for (let hops = 0; hops < 64; hops++) {
      const row = this.mergedIntoStmt.get(current) as { m: number | null } | undefined;
      if (!row) return null;
      if (row.m === null) return current;
      current = row.m;
    }
    return current;
  }

  /** Advances the change counter; every story written in one transaction carries the new value. */
  nextVersion(): number {
    return (this.bumpVersionStmt.get() as { v: number }).v;
  }

  /** Deletes stories left without items (after retention pruned them), with the ids merged into them. */
  deleteEmpty(): number {
    this.deleteEmptyShellsStmt.run();
    return this.deleteEmptyStmt.run().changes;
  }

  /** Recounts outlets of every story, after the config renamed an outlet. */
  recountSources(): void {
    this.refreshAllCountsStmt.run();
  }
}
