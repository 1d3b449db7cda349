import type { Entry } from '../cluster/entry.js';

/** The formats newsmerge reads. */
export type FeedFormat = 'rss2' | 'rss1' | 'rss09' | 'atom1' | 'atom03' | 'json';

/** A parsed outlet feed. */
export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  siteUrl: string | null;
  /** The feed's own <ttl> in minutes (RSS), a hint for the poll interval. */
  ttlMinutes: number | null;
  /** The WebSub hub the feed names and its self URL (the topic to subscribe to); null when absent. */
  hub: string | null;
  self: string | null;
  entries: Entry[];
  /** Items cut before parsing because the document had more than maxItemsPerFeed. */
  truncated: number;
  /** Items dropped for having neither title, summary nor link. */
  skipped: number;
}

/** A body that is not a feed newsmerge can read; the message says why. */
export class FeedFormatError extends Error {
  override name = 'FeedFormatError';
}
