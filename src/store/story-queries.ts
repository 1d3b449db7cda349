import type Database from 'better-sqlite3';
import { COVERAGE_FILTERS, coverageParams, type CoverageFilter } from './coverage-filters.js';
import { visibleItem, type HiddenFeeds } from './hidden-feeds.js';
import { ITEM_TOPIC_MATCH } from './item-topics.js';

/** Which stories to list. All values arrive typed and go to SQL as bound parameters only. */
export interface StoryFilter {
  /** Stories with at least one item from these feeds (a topic's feeds whose every item is in it: topicMode "all"). */
  feedIds: readonly number[];
  /** Or with an item that fits a topic its feed is tagged with: "feedId:tag" keys (topicMode "match" feeds). */
  itemTopics?: readonly string[] | null;
  limit: number;
  minSources?: number | null;
  /** Stories with an item published at or after this time. */
  since?: number | null;
  /** An FTS5 query, already built from quoted user terms. */
  match?: string | null;
  /** Stories that one of these feeds (an outlet) covered. */
  sourceFeedIds?: readonly number[] | null;
  /** Keyset cursor: stories strictly older than this position. */
  before?: { publishedAt: number; id: number } | null;
  /** Who covers it: lean, blindspot, country, language, min_countries as feed-id lists (coverage-filters.ts). */
  coverage?: CoverageFilter | null;
}

/** A story as listed: its aggregates, without its items. */
export interface StorySummary {
  id: number;
  firstPublishedAt: number;
  lastPublishedAt: number;
  itemCount: number;
  sourceCount: number;
  changedAt: number;
  version: number;
  representativeItemId: number | null;
  mergedInto: number | null;
}

/** One item of a story with the feed it came from, as pages and feeds show it. */
export interface StoryMember {
  storyId: number;
  id: number;
  feedId: number;
  feedUrl: string;
  outlet: string;
  guid: string | null;
  link: string | null;
  title: string;
  summary: string;
  content: string | null;
  author: string | null;
  publishedAt: number;
  hasDate: number;
  updatedAt: number | null;
  firstSeenAt: number;
  categories: string;
  enclosure: string | null;
  image: string | null;
}

/** An item `i` of a feed still in the config: @hidden is the JSON array of removed feeds' ids. */
const VISIBLE = visibleItem('i');
// The stored counts include every item; only while some feed is removed are they counted over visible items.
const ITEM_COUNT = `CASE WHEN @hidden = '[]' THEN s.item_count ELSE (SELECT count(*) FROM items i WHERE i.story_id = s.id AND ${VISIBLE}) END`;
const SOURCE_COUNT = `CASE WHEN @hidden = '[]' THEN s.source_count
  ELSE (SELECT count(DISTINCT f.outlet) FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.story_id = s.id AND ${VISIBLE}) END`;

const STORY_COLUMNS = `s.id, s.first_published_at AS firstPublishedAt, s.last_published_at AS lastPublishedAt,
  ${ITEM_COUNT} AS itemCount, ${SOURCE_COUNT} AS sourceCount, s.changed_at AS changedAt, s.version,
  s.representative_item_id AS representativeItemId, s.merged_into AS mergedInto`;

const FILTERS = `s.merged_into IS NULL
  AND EXISTS (SELECT 1 FROM items i WHERE i.story_id = s.id AND (i.feed_id IN (SELECT value FROM json_each(@feedIds)) OR (@itemTopics <> '[]' AND ${ITEM_TOPIC_MATCH})))
  AND (@minSources IS NULL OR ${SOURCE_COUNT} >= @minSources)
  AND (@since IS NULL OR s.last_published_at >= @since)
  AND (@sourceFeedIds IS NULL OR EXISTS (SELECT 1 FROM items i WHERE i.story_id = s.id AND i.feed_id IN (SELECT value FROM json_each(@sourceFeedIds))))
  AND (@beforeAt IS NULL OR s.first_published_at < @beforeAt OR (s.first_published_at = @beforeAt AND s.id < @beforeId))
  AND ${COVERAGE_FILTERS}`;

/**
 * Read-only queries behind topic feeds, pages and the API. Items of feeds removed from the config (hideFeeds)
 * are left out of everything they return: members, counts, search hits, and stories with nothing else.
 */
export class StoryQueries {
  private readonly listStmt;
  private readonly searchStmt;
  private readonly byIdStmt;
  private readonly membersStmt;

  constructor(db: Database.Database, private readonly hidden: HiddenFeeds) {
    this.listStmt = db.prepare(`
      SELECT ${STORY_COLUMNS} FROM stories s
      WHERE ${FILTERS}
      ORDER BY s.first_published_at DESC, s.id DESC LIMIT @limit`);
    this.searchStmt = db.prepare(`
      WITH hits AS (
        SELECT DISTINCT i.story_id AS id FROM items_fts JOIN items i ON i.id = items_fts.rowid WHERE items_fts MATCH @match AND ${VISIBLE}
      )
      SELECT ${STORY_COLUMNS} FROM stories s JOIN hits h ON h.id = s.id
      WHERE ${FILTERS}
      ORDER BY s.first_published_at DESC, s.id DESC LIMIT @limit`);
    this.byIdStmt = db.prepare(`
      SELECT ${STORY_COLUMNS} FROM stories s
      WHERE s.id = @id AND (s.merged_into IS NOT NULL OR @hidden = '[]' OR EXISTS (SELECT 1 FROM items i WHERE i.story_id = s.id AND ${VISIBLE}))`);
    this.membersStmt = db.prepare(`
      SELECT i.story_id AS storyId, i.id, i.feed_id AS feedId, f.url AS feedUrl, f.outlet, i.guid, i.link, i.title,
        i.summary, i.content, i.author, i.published_at AS publishedAt, i.has_date AS hasDate, i.updated_at AS updatedAt,
        i.first_seen_at AS firstSeenAt, i.categories, i.enclosure, i.image
      FROM items i JOIN feeds f ON f.id = i.feed_id
      WHERE i.story_id IN (SELECT value FROM json_each(@ids)) AND ${VISIBLE}
      ORDER BY i.story_id, i.published_at, i.id`);
  }

  /** Stories matching the filter, newest first (by when the story broke). */
  list(filter: StoryFilter): StorySummary[] {
    const params = {
      feedIds: JSON.stringify(filter.feedIds),
      itemTopics: JSON.stringify(filter.itemTopics ?? []),
      limit: filter.limit,
      minSources: filter.minSources ?? filter.coverage?.minSources ?? null,
      since: filter.since ?? null,
      sourceFeedIds: filter.sourceFeedIds ? JSON.stringify(filter.sourceFeedIds) : null,
      beforeAt: filter.before?.publishedAt ?? null,
      beforeId: filter.before?.id ?? null,
      hidden: this.hidden.json,
      ...coverageParams(filter.coverage),
    };
    if (filter.match) return this.searchStmt.all({ ...params, match: filter.match }) as StorySummary[];
    return this.listStmt.all(params) as StorySummary[];
  }

  /** One story by id, merged or not; null when unknown or when all its items are of removed feeds. */
  byId(id: number): StorySummary | null {
    return (this.byIdStmt.get({ id, hidden: this.hidden.json }) as StorySummary | undefined) ?? null;
  }

  /** The items of the given stories, grouped by story id, oldest first within each. */
  members(storyIds: readonly number[]): Map<number, StoryMember[]> {
    const grouped = new Map<number, StoryMember[]>();
    if (storyIds.length === 0) return grouped;
    for (const row of this.membersStmt.all({ ids: JSON.stringify(storyIds), hidden: this.hidden.json }) as StoryMember[]) {
      const list = grouped.get(row.storyId);
      if (list) list.push(row);
      else grouped.set(row.storyId, [row]);
    }
    return grouped;
  }
}
