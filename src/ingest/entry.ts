import type { Enclosure } from '../store/items.js';

export type { Enclosure };

/** One item of an outlet feed, whatever its format, cleaned and ready to store. */
export interface Entry {
  /** The feed's own id for the item (RSS guid, Atom id, JSON Feed id), if any. */
  guid: string | null;
  /** Absolute http(s) link to the article, tracking parameters removed. */
  link: string | null;
  /** Plain-text headline. */
  title: string;
  /** Plain-text summary (may be empty). */
  summary: string;
  /** Sanitized HTML body, links made absolute; null when the feed had none. */
  content: string | null;
  author: string | null;
  /** Milliseconds since the epoch; null when missing or implausible. Never later than the fetch. */
  published: number | null;
  updated: number | null;
  categories: string[];
  enclosure: Enclosure | null;
  image: string | null;
}

/** The formats newsmerge reads. */
export type FeedFormat = 'rss2' | 'rss1' | 'rss09' | 'atom1' | 'atom03' | 'json';

/** A parsed outlet feed. */
export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  siteUrl: string | null;
  /** The feed's own <ttl> in minutes (RSS), a hint for the poll interval. */
  ttlMinutes: number | null;
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
