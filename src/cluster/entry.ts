import type { Enclosure } from '../store/items.js';

export type { Enclosure };

/** One item of an outlet feed, whatever its format, cleaned and ready to store: what parsing gives the cluster engine. */
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
