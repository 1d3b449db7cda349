import type Database from 'better-sqlite3';

/** What newsmerge remembers about polling one feed URL. Times are milliseconds since the epoch. */
export interface FeedState {
  id: number;
  url: string;
  outlet: string;
  feedTitle: string | null;
  siteUrl: string | null;
  format: string | null;
  etag: string | null;
  lastModified: string | null;
  bodyHash: string | null;
  createdAt: number;
  /** When the last attempt ended (success or not), after its items were stored and merged. */
  lastFetchedAt: number | null;
  lastFullFetchAt: number | null;
  lastSuccessAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  /** What the last parsed document left out (items over maxItemsPerFeed), or null. */
  lastWarning: string | null;
  errorCount: number;
  failingSince: number | null;
  nextFetchAt: number | null;
  intervalMs: number | null;
  disabledReason: string | null;
  permanentRedirect: string | null;
  redirectSince: number | null;
  guidMode: 'guid' | 'link';
  /** The WebSub hub and self URL the feed's last parsed document named (null: none). */
  hubUrl: string | null;
  selfUrl: string | null;
  /** The next poll was put off to maxInterval because a push subscription was live then. */
  pushPolled: boolean;
}

interface FeedRow {
  id: number;
  url: string;
  outlet: string;
  feed_title: string | null;
  site_url: string | null;
  format: string | null;
  etag: string | null;
  last_modified: string | null;
  body_hash: string | null;
  created_at: number;
  last_fetched_at: number | null;
  last_full_fetch_at: number | null;
  last_success_at: number | null;
  last_status: number | null;
  last_error: string | null;
  last_warning: string | null;
  error_count: number;
  failing_since: number | null;
  next_fetch_at: number | null;
  interval_ms: number | null;
  disabled_reason: string | null;
  permanent_redirect: string | null;
  redirect_since: number | null;
  guid_mode: string;
  hub_url: string | null;
  self_url: string | null;
  push_polled: number;
}

function fromRow(row: FeedRow): FeedState {
  return {
    id: row.id,
    url: row.url,
    outlet: row.outlet,
    feedTitle: row.feed_title,
    siteUrl: row.site_url,
    format: row.format,
    etag: row.etag,
    lastModified: row.last_modified,
    bodyHash: row.body_hash,
    createdAt: row.created_at,
    lastFetchedAt: row.last_fetched_at,
    lastFullFetchAt: row.last_full_fetch_at,
    lastSuccessAt: row.last_success_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    lastWarning: row.last_warning,
    errorCount: row.error_count,
    failingSince: row.failing_since,
    nextFetchAt: row.next_fetch_at,
    intervalMs: row.interval_ms,
    disabledReason: row.disabled_reason,
    permanentRedirect: row.permanent_redirect,
    redirectSince: row.redirect_since,
    guidMode: row.guid_mode === 'link' ? 'link' : 'guid',
    hubUrl: row.hub_url,
    selfUrl: row.self_url,
    pushPolled: row.push_polled === 1,
  };
}

/** The feeds table: one row of polling state per configured feed URL. */
export class FeedStates {
  private readonly insertStmt;
  private readonly outletStmt;
  private readonly byUrlStmt;
  private readonly byIdStmt;
  private readonly allStmt;
  private readonly saveStmt;
  private readonly itemCountsStmt;
  private readonly deleteEmptyStmt;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(`INSERT INTO feeds (url, outlet, created_at) VALUES (?, ?, ?) ON CONFLICT (url) DO NOTHING`);
    this.outletStmt = db.prepare(`UPDATE feeds SET outlet = ? WHERE url = ? AND outlet <> ?`);
    this.byUrlStmt = db.prepare(`SELECT * FROM feeds WHERE url = ?`);
    this.byIdStmt = db.prepare(`SELECT * FROM feeds WHERE id = ?`);
    this.allStmt = db.prepare(`SELECT * FROM feeds ORDER BY id`);
    this.itemCountsStmt = db.prepare(`SELECT feed_id AS feedId, count(*) AS n FROM items GROUP BY feed_id`);
    this.deleteEmptyStmt = db.prepare(`DELETE FROM feeds WHERE id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM items WHERE feed_id = feeds.id)`);
    this.saveStmt = db.prepare(`
      UPDATE feeds SET
        feed_title = @feedTitle, site_url = @siteUrl, format = @format, etag = @etag,
        last_modified = @lastModified, body_hash = @bodyHash, last_fetched_at = @lastFetchedAt,
        last_full_fetch_at = @lastFullFetchAt, last_success_at = @lastSuccessAt, last_status = @lastStatus,
        last_error = @lastError, last_warning = @lastWarning, error_count = @errorCount, failing_since = @failingSince,
        next_fetch_at = @nextFetchAt, interval_ms = @intervalMs, disabled_reason = @disabledReason,
        permanent_redirect = @permanentRedirect, redirect_since = @redirectSince, guid_mode = @guidMode,
        hub_url = @hubUrl, self_url = @selfUrl, push_polled = @pushPolled
      WHERE id = @id`);
  }

  /** Adds a row for every configured feed not yet known; returns true when an outlet name changed. */
  sync(feeds: ReadonlyArray<{ url: string; outlet: string }>, now: number): boolean {
    let outletChanged = false;
    this.db.transaction(() => {
      for (const feed of feeds) {
        this.insertStmt.run(feed.url, feed.outlet, now);
        outletChanged = this.outletStmt.run(feed.outlet, feed.url, feed.outlet).changes > 0 || outletChanged;
      }
    })();
    return outletChanged;
  }

  /** Ids of the known feeds whose URL is not among `urls`: feeds removed from the config. */
  removedFrom(urls: Iterable<string>): number[] {
    const configured = new Set(urls);
    return (this.allStmt.all() as FeedRow[]).filter((row) => !configured.has(row.url)).map((row) => row.id);
  }

  /** Deletes the rows of these feeds that hold no item any more (removed feeds that retention just emptied); returns how many. */
  deleteIfEmpty(feedIds: readonly number[]): number {
    if (feedIds.length === 0) return 0;
    return this.deleteEmptyStmt.run(JSON.stringify(feedIds)).changes;
  }

  /** The state of one feed URL, or null if it was never configured. */
  byUrl(url: string): FeedState | null {
    const row = this.byUrlStmt.get(url) as FeedRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** The state of one feed by id. */
  byId(id: number): FeedState | null {
    const row = this.byIdStmt.get(id) as FeedRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** Every feed ever configured, in the order they were added. */
  all(): FeedState[] {
    return (this.allStmt.all() as FeedRow[]).map(fromRow);
  }

  /** Number of stored items per feed id. */
  itemCounts(): Map<number, number> {
    const rows = this.itemCountsStmt.all() as Array<{ feedId: number; n: number }>;
    return new Map(rows.map((r) => [r.feedId, r.n]));
  }

  /** Writes back every mutable field of a feed's state. */
  save(state: FeedState): void {
    this.saveStmt.run({ ...state, pushPolled: state.pushPolled ? 1 : 0 });
  }
}
