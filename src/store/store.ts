import type Database from 'better-sqlite3';
import { ClusterTables } from './cluster-tables.js';
import { Corrections } from './corrections.js';
import { FeedStates } from './feed-states.js';
import { HiddenFeeds } from './hidden-feeds.js';
import { ItemTopics } from './item-topics.js';
import { Items } from './items.js';
import { openDatabase, type OpenOptions } from './open-database.js';
import { LivePushFeeds } from './outlet-push-store.js';
import { Stories } from './stories.js';
import { StoryLinks } from './story-links.js';
import { StoryQueries } from './story-queries.js';

/** The database with every prepared statement of newsmerge, grouped by table. */
export interface Store {
  readonly db: Database.Database;
  readonly feeds: FeedStates;
  readonly items: Items;
  readonly stories: Stories;
  readonly queries: StoryQueries;
  /** Same-event clustering state: item profiles, document frequencies, merge hints. */
  readonly clustering: ClusterTables;
  /** Curator corrections that clustering obeys. */
  readonly corrections: Corrections;
  /** Related coverage: stories linked as likely the same event. */
  readonly links: StoryLinks;
  /** Which configured topics each item fits, and why. */
  readonly topics: ItemTopics;
  /** Feeds whose outlet's hub pushes to us (their polls are spaced out). */
  readonly livePushFeeds: LivePushFeeds;
  /**
   * Leaves the items of these feeds (removed from the config) out of every read behind pages, feeds and the
   * API (queries, related coverage); [] shows everything again. Clustering and retention still see them.
   */
  hideFeeds(feedIds: readonly number[]): void;
  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE), committed on return, rolled back on throw. */
  write<T>(fn: () => T): T;
  /** Changes whenever any connection (another process too) commits a write; cheap to call per request. */
  dataVersion(): string;
  /** Makes the next dataVersion() ask SQLite: another connection is known to have just committed. */
  expectExternalWrite(): void;
  /** Items stored and stories (merged-away ids not counted), for metrics. */
  counts(): { items: number; stories: number };
  /** Writes a consistent copy of the database to `file` while others may write; resolves with its size. */
  backup(file: string): Promise<{ bytes: number }>;
  /** Reads from the database; throws when it cannot (for /healthz). */
  ping(): void;
  close(): void;
}

/** Opens the database in `dataDir` and prepares every statement once. */
export function openStore(dataDir: string, options: OpenOptions & { externalWriteLatencyMs?: number } = {}): Store {
  const db = openDatabase(dataDir, options);
  const dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
  // Asking SQLite costs microseconds (it reads the WAL index), which a cached feed hit notices; another
  // process's commit is seen within this many milliseconds, this connection's own at once.
  const recheckMs = options.externalWriteLatencyMs ?? 50;
  let external = dataVersionStmt.get() as number;
  let checkedAt = performance.now();
  let version = `${external}:0`;
  const pingStmt = db.prepare('SELECT count(*) FROM meta').pluck();
  const countsStmt = db.prepare(`SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM stories WHERE merged_into IS NULL) AS stories`);
  let localWrites = 0;
  const hidden = new HiddenFeeds();
  const queries = new StoryQueries(db, hidden);
  const links = new StoryLinks(db, hidden);
  return {
    db,
    feeds: new FeedStates(db),
    items: new Items(db),
    stories: new Stories(db),
    queries,
    clustering: new ClusterTables(db),
    corrections: new Corrections(db),
    links,
    topics: new ItemTopics(db),
    livePushFeeds: new LivePushFeeds(db),
    hideFeeds(feedIds) {
      hidden.set(feedIds);
    },
    write<T>(fn: () => T): T {
      const result = db.transaction(fn).immediate();
      localWrites++;
      version = `${external}:${localWrites}`;
      return result;
    },
    // PRAGMA data_version moves only for commits of other connections; this connection's own are counted here.
    dataVersion: () => {
      const now = performance.now();
      if (now - checkedAt >= recheckMs) {
        checkedAt = now;
        const current = dataVersionStmt.get() as number;
        if (current !== external) {
          external = current;
          version = `${external}:${localWrites}`;
        }
      }
      return version;
    },
    expectExternalWrite: () => {
      checkedAt = -Infinity;
    },
    counts: () => countsStmt.get() as { items: number; stories: number },
    backup: async (file) => {
      const { totalPages } = await db.backup(file);
      return { bytes: totalPages * (db.pragma('page_size', { simple: true }) as number) };
    },
    ping: () => void pingStmt.get(),
    close: () => {
      if (db.open) db.close();
    },
  };
}
