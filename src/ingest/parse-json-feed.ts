import { absoluteUrl } from '../dedup/canonical-url.js';
import { FeedFormatError } from './entry.js';
import type { RawEntry } from './normalize-entry.js';
import { linkHref, type RawFeed } from './parse-xml-feed.js';

type Json = Record<string, unknown>;

function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function obj(value: unknown): Json | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

function authorOf(item: Json, feed: Json): string | null {
  const authors = Array.isArray(item.authors) ? item.authors : item.author ? [item.author] : Array.isArray(feed.authors) ? feed.authors : [];
  return str(obj(authors[0])?.name);
}

function itemOf(item: Json, feed: Json, base: string): RawEntry {
  const attachment = Array.isArray(item.attachments) ? obj(item.attachments[0]) : null;
  return {
    guid: str(item.id),
    link: str(item.url) ?? str(item.external_url),
    title: str(item.title),
    titleIsHtml: false,
    summaryHtml: str(item.summary) !== null ? str(item.summary)!.replace(/&/g, '&amp;').replace(/</g, '&lt;') : null,
    contentHtml: str(item.content_html),
    contentText: str(item.content_text),
    author: authorOf(item, feed),
    published: str(item.date_published),
    updated: str(item.date_modified),
    categories: Array.isArray(item.tags) ? item.tags.map(str) : [],
    enclosure: attachment ? { url: str(attachment.url), type: str(attachment.mime_type), length: str(attachment.size_in_bytes) } : null,
    image: str(item.image) ?? str(item.banner_image),
    base,
  };
}

/** The first WebSub hub of a JSON Feed's `hubs` (`[{ "type": "WebSub", "url": … }]`). */
function hubOf(feed: Json, base: string): string | null {
  const hubs = Array.isArray(feed.hubs) ? feed.hubs.map(obj) : [];
  const hub = hubs.find((h) => h && /^(websub|pubsubhubbub)$/i.test(str(h.type) ?? 'WebSub') && str(h.url)) ?? null;
  return hub ? linkHref(str(hub.url), base) : null;
}

/** Parses a JSON Feed 1.0 or 1.1 document (rss-parser cannot read JSON) into raw items. */
export function parseJsonFeed(body: string, feedUrl: string, maxItems: number): RawFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new FeedFormatError(`invalid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const feed = obj(doc);
  const version = str(feed?.version);
  if (!feed || !version || !/jsonfeed\.org\/version\//.test(version)) throw new FeedFormatError('JSON, but not a JSON Feed (no jsonfeed.org version)');
  if (!Array.isArray(feed.items)) throw new FeedFormatError('JSON Feed without an "items" array');
  const base = absoluteUrl(str(feed.feed_url), feedUrl) ?? feedUrl;
  const items = feed.items.map(obj).filter((i): i is Json => i !== null);
  return {
    format: 'json',
    title: str(feed.title),
    siteUrl: absoluteUrl(str(feed.home_page_url), base),
    ttlMinutes: null,
    hub: hubOf(feed, base),
    self: linkHref(str(feed.feed_url), feedUrl),
    items: items.slice(0, maxItems).map((item) => itemOf(item, feed, base)),
    dropped: Math.max(0, items.length - maxItems),
  };
}
