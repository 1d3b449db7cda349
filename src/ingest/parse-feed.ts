import { FeedFormatError, type ParsedFeed } from './entry.js';
import { normalizeEntry } from './normalize-entry.js';
import { parseJsonFeed } from './parse-json-feed.js';
import { parseXmlFeed } from './parse-xml-feed.js';

/** What the parser needs besides the text. */
export interface ParseOptions {
  /** The URL the body came from: the base for relative links. */
  feedUrl: string;
  /** The fetch time: later dates are clamped to it. */
  fetchedAt: number;
  maxItems: number;
}

/**
 * Parses any supported feed format (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1) into clean entries.
 * Throws FeedFormatError with a reason a person can act on.
 */
export async function parseFeed(body: string, options: ParseOptions): Promise<ParsedFeed> {
  const start = body.trimStart();
  if (!start) throw new FeedFormatError('empty body');
  if (!start.startsWith('<') && !start.startsWith('{')) throw new FeedFormatError(`neither XML nor JSON (starts with ${JSON.stringify(start.slice(0, 20))})`);
  const raw = start.startsWith('{') ? parseJsonFeed(start, options.feedUrl, options.maxItems) : await parseXmlFeed(start, options.feedUrl, options.maxItems);
  const entries = raw.items.map((item) => normalizeEntry(item, options.fetchedAt)).filter((e) => e !== null);
  return {
    format: raw.format,
    title: raw.title?.trim() || null,
    siteUrl: raw.siteUrl,
    ttlMinutes: raw.ttlMinutes,
    hub: raw.hub,
    self: raw.self,
    entries,
    truncated: raw.dropped,
    skipped: raw.items.length - entries.length,
  };
}
