import type Database from 'better-sqlite3';
import { visibleItem, type HiddenFeeds } from './hidden-feeds.js';

/** A related story as pages, feeds and the API show it. */
export interface RelatedStory {
  storyId: number;
  relatedId: number;
  support: number;
  /** Headline of the related story's representative item. */
  title: string;
  /** Its outlets, JSON array text. */
  outlets: string;
}

/** Most related stories a story keeps: the strongest links win. */
export const MAX_RELATED = 5;

/**
 * Below this support a link is weak: kept only while it is the strongest link of both its stories. A
 * story's best guess below it is right about as often as the eval asks of related coverage, its second
 * and later ones mostly are not (measured with eval:dedup; see docs/merging.md).
 */
export const STRONG_RELATED = 0.6;

/**
 * The story_links table: related coverage, kept symmetric (both directions stored) and at most MAX_RELATED
 * per story, strongest first; a weak link (below STRONG_RELATED) only as the strongest of both stories.
 */
export class StoryLinks {
  private readonly upsertStmt;
  private readonly countStmt;
  private readonly weakestStmt;
  private readonly removePairStmt;
  private readonly linksOfStmt;
  private readonly removeStoryStmt;
  private readonly relatedStmt;
  private readonly strongestOtherStmt;
  private readonly dropWeakerStmt;

  constructor(db: Database.Database, private readonly hidden: HiddenFeeds) {
    this.upsertStmt = db.prepare(`
      INSERT INTO story_links (story_id, other_id, support) VALUES (?, ?, ?)
      ON CONFLICT (story_id, other_id) DO UPDATE SET support = max(support, excluded.support)`);
    this.countStmt = db.prepare(`SELECT count(*) FROM story_links WHERE story_id = ? AND other_id <> ?`).pluck();
    this.weakestStmt = db.prepare(`SELECT other_id AS otherId, support FROM story_links WHERE story_id = ? ORDER BY support, other_id DESC LIMIT 1`);
    this.removePairStmt = db.prepare(`DELETE FROM story_links WHERE (story_id = @a AND other_id = @b) OR (story_id = @b AND other_id = @a)`);
    this.linksOfStmt = db.prepare(`SELECT other_id AS otherId, support FROM story_links WHERE story_id = ?`);
    this.strongestOtherStmt = db.prepare(`SELECT max(support) FROM story_links WHERE story_id = ? AND other_id <> ?`).pluck();
    this.dropWeakerStmt = db.prepare(`
      DELETE FROM story_links WHERE support < @weak AND support < @support
        AND ((story_id = @story AND other_id <> @kept) OR (other_id = @story AND story_id <> @kept))`);
    this.removeStoryStmt = db.prepare(`DELETE FROM story_links WHERE story_id = @id OR other_id = @id`);
    // Items of removed feeds (@hidden) are left out: a related story shows its headline and outlets from the
    // rest, its earliest visible item's headline when the representative is hidden, and not at all without any.
    this.relatedStmt = db.prepare(`
      SELECT * FROM (
        SELECT l.story_id AS storyId, l.other_id AS relatedId, l.support,
          CASE WHEN @hidden = '[]' OR ${visibleItem('i')} THEN i.title
            ELSE (SELECT v.title FROM items v WHERE v.story_id = s.id AND ${visibleItem('v')} ORDER BY v.published_at, v.id LIMIT 1) END AS title,
          (SELECT json_group_array(DISTINCT f.outlet) FROM items m JOIN feeds f ON f.id = m.feed_id WHERE m.story_id = l.other_id AND ${visibleItem('m')}) AS outlets
        FROM story_links l JOIN stories s ON s.id = l.other_id AND s.merged_into IS NULL
        JOIN items i ON i.id = s.representative_item_id
        WHERE l.story_id IN (SELECT value FROM json_each(@ids))
      ) WHERE title IS NOT NULL
      ORDER BY storyId, support DESC, relatedId`);
  }

  /**
   * Links two stories as related with this support (the stronger of old and new wins). A story with
   * MAX_RELATED links already drops its weakest for a stronger one, or keeps them and refuses this one. A
   * weak link is refused when either story has one at least as strong, and drops the weak links it outranks.
   */
  link(a: number, b: number, support: number): void {
    if (a === b) return;
    const sides = [[a, b], [b, a]] as const;
    if (support < STRONG_RELATED && sides.some(([x, y]) => ((this.strongestOtherStmt.get(x, y) as number | null) ?? -1) >= support)) return;
    // A full side holds five others (y is not among them: the cap holds); the new link must beat its weakest.
    const full = sides
      .filter(([x, y]) => (this.countStmt.get(x, y) as number) >= MAX_RELATED)
      .map(([x]) => ({ x, weakest: this.weakestStmt.get(x) as { otherId: number; support: number } }));
    if (full.some(({ weakest }) => weakest.support >= support)) return;
    for (const { x, weakest } of full) this.removePairStmt.run({ a: x, b: weakest.otherId });
    this.upsertStmt.run(a, b, support);
    this.upsertStmt.run(b, a, support);
    for (const [x, y] of sides) this.dropWeakerStmt.run({ story: x, kept: y, weak: STRONG_RELATED, support });
  }

  /**
   * The least support at which link(a, b) would keep a link, given `relatedThreshold`: a weak one must beat
   * every other link of both stories. The merge pass stops weighing a pair that cannot reach it.
   */
  leastKept(a: number, b: number, relatedThreshold: number): number {
    const strongest = Math.max(...([[a, b], [b, a]] as const).map(([x, y]) => (this.strongestOtherStmt.get(x, y) as number | null) ?? 0));
    return Math.max(relatedThreshold, Math.min(STRONG_RELATED, strongest));
  }

  /** Removes the link between two stories (merged, or kept apart). */
  unlink(a: number, b: number): void {
    this.removePairStmt.run({ a, b });
  }

  /** Moves the links of a story merged away to its survivor (a link between the two disappears). */
  storyMoved(absorbed: number, survivor: number): void {
    const links = this.linksOfStmt.all(absorbed) as Array<{ otherId: number; support: number }>;
    this.removeStoryStmt.run({ id: absorbed });
    this.unlink(absorbed, survivor);
    for (const { otherId, support } of links) if (otherId !== survivor) this.link(survivor, otherId, support);
  }

  /** Removes every link of a story (its items changed under a curator's hand). */
  clear(storyId: number): void {
    this.removeStoryStmt.run({ id: storyId });
  }

  /** The related stories of these stories, strongest first within each. */
  relatedTo(storyIds: readonly number[]): Map<number, RelatedStory[]> {
    const grouped = new Map<number, RelatedStory[]>();
    if (storyIds.length === 0) return grouped;
    for (const row of this.relatedStmt.all({ ids: JSON.stringify(storyIds), hidden: this.hidden.json }) as RelatedStory[]) {
      const list = grouped.get(row.storyId);
      if (list) list.push(row);
      else grouped.set(row.storyId, [row]);
    }
    return grouped;
  }
}
