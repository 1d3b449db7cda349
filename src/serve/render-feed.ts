import { randomBytes } from 'node:crypto';
import { Feed, type Item } from 'feed';
import { coverageLine } from './coverage.js';
import { storyPageUrl } from './links.js';
import { escapeMarkup } from './markup.js';
import type { FeedFormatName } from './feed-query.js';
import { storyGuid, type StoryView } from './story-view.js';

/** Feed-level facts of one rendered topic feed. */
export interface FeedMeta {
  title: string;
  description: string;
  /** Absolute URLs of this feed in each format (self links), and of its HTML page. */
  links: Record<FeedFormatName, string> & { html: string };
  /** When the topic's content last changed: feed-level updated date, derived from content for stable bytes. */
  updated: Date;
  generator: string;
  /** Absolute base URL ending in "/", for story page links. */
  baseUrl: string;
  siteName: string;
  /** The WebSub hub of this feed (rel="hub" in RSS and Atom, `hubs` in JSON Feed); absent when the hub is off. */
  hub?: string;
  /** True when the config rates some outlet's lean: entries then carry a "Coverage: 2 left · 1 center · 0 right" line. */
  rated?: boolean;
}

/** Content types of the formats, with charset. */
export const CONTENT_TYPES: Record<FeedFormatName, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

const INLINE_CONTENT_MAX = 4_000;

// xml-js (under `feed`) splits only the first "]]>" of a CDATA section; a second one would end it early.
function cdataSafeHtml(text: string): string {
  return text.replaceAll(']]>', ']]&gt;');
}

function cdataSafeText(text: string): string {
  return text.replaceAll(']]>', ']]\u200b>');
}

// xml-js writes attribute values unescaped; `feed` escapes some URLs itself but not enclosure URLs.
const xmlAttr = escapeMarkup;

function formatTime(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/**
 * The HTML body of a story entry: the representative text, then every outlet with a link to its article (and,
 * with `rated`, one line of coverage by side: feed readers show no bars, but they show text).
 */
export function storyHtml(story: StoryView, baseUrl: string, rated = false): string {
  const lead = story.content && story.content.length <= INLINE_CONTENT_MAX ? story.content : story.summary ? `<p>${escapeMarkup(story.summary)}</p>` : '';
  const outlets = story.sources
    .map((s) => {
      const name = escapeMarkup(s.name);
      const linked = s.url ? `<a href="${escapeMarkup(s.url)}">${name}</a>` : name;
      return `<li>${linked}: ${escapeMarkup(s.title)} <small>(${formatTime(new Date(s.published))})</small></li>`;
    })
    .join('');
  const count = story.sourceCount === 1 ? '1 outlet' : `${story.sourceCount} outlets`;
  const coverage = rated ? `<p>Coverage: ${escapeMarkup(coverageLine(story.coverage))}</p>` : '';
  return `${lead}<p><strong>Covered by ${count}:</strong></p><ul>${outlets}</ul>${coverage}<p><a href="${escapeMarkup(storyPageUrl(baseUrl, story.id))}">All coverage of this story</a></p>${relatedHtml(story, baseUrl)}`;
}

function relatedHtml(story: StoryView, baseUrl: string): string {
  if (story.related.length === 0) return '';
  const items = story.related.map((r) => `<li><a href="${escapeMarkup(storyPageUrl(baseUrl, r.id))}">${escapeMarkup(r.title)}</a> <small>(${escapeMarkup(r.sources.join(', '))})</small></li>`);
  return `<p><strong>Related coverage:</strong></p><ul>${items.join('')}</ul>`;
}

/** Related coverage as JSON Feed and the API carry it. */
export function relatedJson(story: StoryView, baseUrl: string): Array<{ id: string; url: string; title: string; sources: string[] }> {
  return story.related.map((r) => ({ id: storyGuid(r.id), url: storyPageUrl(baseUrl, r.id), title: r.title, sources: r.sources }));
}

function baseFeed(meta: FeedMeta): Feed {
  return new Feed({
    title: meta.title,
    description: meta.description,
    id: meta.links.atom,
    link: meta.links.html,
    updated: meta.updated,
    generator: meta.generator,
    feedLinks: { rss: meta.links.rss, atom: meta.links.atom, json: meta.links.json },
    hub: meta.hub,
    author: { name: meta.siteName, link: meta.baseUrl },
  });
}

function commonItem(story: StoryView, meta: FeedMeta): Item {
  return {
    title: story.title,
    id: story.guid,
    guid: story.guid,
    link: storyPageUrl(meta.baseUrl, story.id),
    date: story.updated,
    published: story.published,
  };
}

/** RSS 2.0: atom:link rel="self", RFC 822 dates, guid isPermaLink="false", dc:creator (RSS <author> must be an email). */
export function renderRss(stories: readonly StoryView[], meta: FeedMeta): string {
  const feed = baseFeed(meta);
  for (const story of stories) {
    const item: Item = {
      ...commonItem(story, meta),
      title: cdataSafeText(story.title),
      description: cdataSafeHtml(escapeMarkup(story.summary || story.title)),
      content: cdataSafeHtml(storyHtml(story, meta.baseUrl, meta.rated)),
      category: story.categories.map((name) => ({ name })),
    };
    const media = story.enclosure ?? (story.image ? { url: story.image, type: null, length: null } : null);
    if (media) item.enclosure = { url: xmlAttr(media.url), type: media.type ?? (story.enclosure ? 'application/octet-stream' : 'image/jpeg'), length: media.length ?? 0 };
    if (story.author) item.extensions = [{ name: 'dc:creator', objects: { _text: story.author } }];
    feed.addItem(item);
  }
  return feed.rss2();
}

function atomLinksXml(story: StoryView): string {
  const links = story.sources
    .filter((s) => s.url)
    .map((s) => `<link rel="related" href="${xmlAttr(s.url!)}" title="${xmlAttr(s.name)}"/>`);
  if (story.enclosure) {
    const e = story.enclosure;
    links.push(`<link rel="enclosure" href="${xmlAttr(e.url)}"${e.type ? ` type="${xmlAttr(e.type)}"` : ''}${e.length ? ` length="${e.length}"` : ''}/>`);
  } else if (story.image) {
    links.push(`<link rel="enclosure" href="${xmlAttr(story.image)}" type="image/jpeg"/>`);
  }
  return links.join('\n        ');
}

/**
 * Atom 1.0 with a feed-level author, per-entry authors where known, and a link rel="related" per outlet.
 * `feed` cannot express related links (nor enclosure types), so each entry carries a random marker that is
 * replaced by those links after rendering.
 */
export function renderAtom(stories: readonly StoryView[], meta: FeedMeta): string {
  const feed = baseFeed(meta);
  const nonce = randomBytes(12).toString('hex');
  const extras = new Map<string, string>();
  stories.forEach((story, i) => {
    const marker = `newsmerge-${nonce}-${i}`;
    extras.set(marker, atomLinksXml(story));
    feed.addItem({
      ...commonItem(story, meta),
      title: cdataSafeHtml(escapeMarkup(story.title)),
      description: story.summary ? cdataSafeHtml(escapeMarkup(story.summary)) : undefined,
      content: cdataSafeHtml(storyHtml(story, meta.baseUrl, meta.rated)),
      author: story.author ? [{ name: story.author }] : undefined,
      // Atom categories are attributes, which xml-js writes unescaped; Atom also needs a term.
      category: story.categories.map((name) => ({ name: xmlAttr(name), term: xmlAttr(name) })),
      copyright: marker,
    });
  });
  return feed.atom1().replace(new RegExp(`<rights>(newsmerge-${nonce}-\\d+)</rights>`, 'g'), (_, marker: string) => extras.get(marker) ?? '');
}

/**
 * JSON Feed 1.1, written directly: `feed` writes version 1.0 (a single `author`). Each item carries
 * `_newsmerge.sources`: every outlet that reported the story (with its lean and country), and
 * `_newsmerge.coverage`: counts of those outlets by lean, country and language.
 */
export function renderJson(stories: readonly StoryView[], meta: FeedMeta): string {
  const doc = {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: meta.links.html,
    feed_url: meta.links.json,
    ...(meta.hub ? { hubs: [{ type: 'WebSub', url: meta.hub }] } : {}),
    description: meta.description,
    authors: [{ name: meta.siteName, url: meta.baseUrl }],
    items: stories.map((story) => ({
      id: story.guid,
      url: storyPageUrl(meta.baseUrl, story.id),
      ...(story.articleUrl ? { external_url: story.articleUrl } : {}),
      title: story.title,
      content_html: storyHtml(story, meta.baseUrl, meta.rated),
      ...(story.summary ? { summary: story.summary } : {}),
      ...(story.image ? { image: story.image } : {}),
      date_published: story.published.toISOString(),
      date_modified: story.updated.toISOString(),
      ...(story.author ? { authors: [{ name: story.author }] } : {}),
      ...(story.categories.length ? { tags: story.categories } : {}),
      ...(story.enclosure
        ? { attachments: [{ url: story.enclosure.url, mime_type: story.enclosure.type ?? 'application/octet-stream', ...(story.enclosure.length ? { size_in_bytes: story.enclosure.length } : {}) }] }
        : {}),
      _newsmerge: {
        story_id: story.id,
        source_count: story.sourceCount,
        sources: story.sources,
        related: relatedJson(story, meta.baseUrl),
        coverage: story.coverage,
      },
    })),
  };
  return JSON.stringify(doc, null, 2);
}

/** Renders stories in one of the three formats. */
export function renderFeed(format: FeedFormatName, stories: readonly StoryView[], meta: FeedMeta): string {
  if (format === 'rss') return renderRss(stories, meta);
  if (format === 'atom') return renderAtom(stories, meta);
  return renderJson(stories, meta);
}
