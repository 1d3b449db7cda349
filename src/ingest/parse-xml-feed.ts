import RssParser from 'rss-parser';
import xml2js from 'xml2js';
import { absoluteUrl } from '../dedup/canonical-url.js';
import { FeedFormatError, type FeedFormat } from './entry.js';
import { htmlToText } from './html-text.js';
import type { RawEntry } from './normalize-entry.js';
import { prepareXml } from './prepare-xml.js';

/** An element as xml2js gives it: attributes under "$", text under "_", children as arrays. */
type XmlNode = { $?: Record<string, string>; _?: string; [child: string]: unknown };

/** What parseXmlFeed found: feed-level facts and the raw items, before normalization. */
export interface RawFeed {
  format: FeedFormat;
  title: string | null;
  siteUrl: string | null;
  ttlMinutes: number | null;
  /** The feed's WebSub hub and self URL (`rel="hub"`, `rel="self"`), absolute; null when not named. */
  hub: string | null;
  self: string | null;
  items: RawEntry[];
  dropped: number;
}

/** The subset of rss-parser's item output newsmerge reads. */
interface BuiltItem {
  title?: string;
  link?: string;
  guid?: string;
  id?: string;
  creator?: string;
  author?: string;
  pubDate?: string;
  categories?: unknown[];
  enclosure?: { url?: string; type?: string; length?: string };
}

interface BuiltFeed {
  title?: string;
  link?: string;
  ttl?: string;
  items: BuiltItem[];
}

/** rss-parser's builders, which its typings do not declare; they map an xml2js tree to items. */
interface RssBuilders {
  buildAtomFeed(tree: unknown): BuiltFeed;
  buildRSS2(tree: unknown): BuiltFeed;
  buildRSS1(tree: unknown): BuiltFeed;
  buildRSS0_9(tree: unknown): BuiltFeed;
}

/** Elements holding item bodies: read from the tree by newsmerge, hidden from rss-parser (see BODY_NOTE). */
const BODY_ELEMENTS = ['description', 'content:encoded', 'content', 'summary', 'published', 'updated'];
// BODY_NOTE: rss-parser makes a "snippet" of every body with a regex that is quadratic on text full of "<"
// without ">" (64 KB took 1.2 s here), and one unparseable Atom <published> makes it reject the whole feed.
// So it builds items from copies without those elements, and newsmerge reads them from the tree itself.

function child(node: unknown, name: string): XmlNode | string | undefined {
  const list = (node as XmlNode | undefined)?.[name];
  return Array.isArray(list) ? (list[0] as XmlNode | string) : undefined;
}

function children(node: unknown, name: string): Array<XmlNode | string> {
  const list = (node as XmlNode | undefined)?.[name];
  return Array.isArray(list) ? (list as Array<XmlNode | string>) : [];
}

function textOf(node: XmlNode | string | undefined): string | null {
  if (node === undefined) return null;
  if (typeof node === 'string') return node;
  return typeof node._ === 'string' ? node._ : null;
}

/** A value rss-parser built, if it is text (it hands back element objects for odd markup). */
function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The text of an element that may hold markup (Atom type="html"/"xhtml", inline tags): plain text. */
function plainTextOf(node: XmlNode | string | undefined): string | null {
  const markup = markupOf(node);
  if (markup === null) return null;
  return typeof node === 'object' && (isMarkupType(node) || typeof node._ !== 'string') ? htmlToText(markup) : markup;
}

function isMarkupType(node: XmlNode | string | undefined): boolean {
  const type = (attr(node, 'type') ?? 'text').toLowerCase();
  const mode = attr(node, 'mode');
  return type.includes('html') || mode === 'escaped' || mode === 'xml';
}

function attr(node: XmlNode | string | undefined, name: string): string | null {
  return typeof node === 'object' && node.$ && typeof node.$[name] === 'string' ? node.$[name]! : null;
}

/** The inner markup of an element: its text, or its children rebuilt as XHTML (Atom type="xhtml"). */
function markupOf(node: XmlNode | string | undefined): string | null {
  if (node === undefined) return null;
  if (typeof node === 'string' || typeof node._ === 'string') return textOf(node);
  const { $: _attributes, ...rest } = node;
  if (Object.keys(rest).length === 0) return null;
  const builder = new xml2js.Builder({ headless: true, rootName: 'div', renderOpts: { pretty: false } });
  return builder.buildObject(rest);
}

function withBase(node: unknown, base: string): string {
  const declared = attr(node as XmlNode, 'xml:base');
  return (declared && absoluteUrl(declared, base)) || base;
}

function stripBodies(node: XmlNode): XmlNode {
  const copy: XmlNode = { ...node };
  for (const name of BODY_ELEMENTS) delete copy[name];
  return copy;
}

function imageOf(node: unknown): string | null {
  for (const thumb of children(node, 'media:thumbnail')) {
    const url = attr(thumb, 'url');
    if (url) return url;
  }
  const media = [...children(node, 'media:content'), ...children(child(node, 'media:group'), 'media:content')];
  for (const m of media) {
    const type = attr(m, 'type') ?? '';
    if ((attr(m, 'medium') === 'image' || type.startsWith('image/')) && attr(m, 'url')) return attr(m, 'url');
  }
  return attr(child(node, 'itunes:image'), 'href');
}

function categoriesOf(built: BuiltItem, node: unknown): string[] {
  const fromBuilt = (built.categories ?? []).map((c) => textOf(c as XmlNode | string));
  const subjects = children(node, 'dc:subject').map(textOf);
  const atom = children(node, 'category').map((c) => attr(c, 'label') ?? attr(c, 'term'));
  return [...fromBuilt, ...subjects, ...atom].filter((c): c is string => !!c);
}

function rssItem(built: BuiltItem, node: XmlNode, base: string): RawEntry {
  const description = markupOf(child(node, 'description'));
  const encoded = markupOf(child(node, 'content:encoded'));
  const origLink = textOf(child(node, 'feedburner:origLink'));
  const atomLink = attr(child(node, 'atom:link'), 'href');
  const enclosureNode = child(node, 'enclosure');
  return {
    guid: str(built.guid) ?? attr(node, 'rdf:about'),
    link: origLink ?? str(built.link) ?? atomLink,
    title: str(built.title) ?? plainTextOf(child(node, 'title')),
    titleIsHtml: false,
    summaryHtml: description,
    contentHtml: encoded,
    author: str(built.creator) ?? str(built.author) ?? textOf(child(node, 'dc:creator')),
    published: str(built.pubDate) ?? textOf(child(node, 'dc:date')),
    updated: textOf(child(node, 'dcterms:modified')) ?? textOf(child(node, 'atom:updated')),
    categories: categoriesOf(built, node),
    enclosure: enclosureNode ? { url: attr(enclosureNode, 'url'), type: attr(enclosureNode, 'type'), length: attr(enclosureNode, 'length') } : null,
    image: imageOf(node),
    base,
  };
}

function atomLinks(node: unknown): { alternate: string | null; enclosure: RawEntry['enclosure'] } {
  let alternate: string | null = null;
  let html: string | null = null;
  let enclosure: RawEntry['enclosure'] = null;
  for (const link of children(node, 'link')) {
    const rel = attr(link, 'rel') ?? 'alternate';
    const href = attr(link, 'href') ?? textOf(link);
    if (!href) continue;
    if (rel === 'alternate') {
      alternate ??= href;
      if (!html && /html/.test(attr(link, 'type') ?? 'text/html')) html = href;
    } else if (rel === 'enclosure' && !enclosure) {
      enclosure = { url: href, type: attr(link, 'type'), length: attr(link, 'length') };
    }
  }
  return { alternate: html ?? alternate, enclosure };
}

/** An absolute http(s) URL of a feed-level link, kept exactly as written (a hub matches its topic URL byte for byte). */
export function linkHref(raw: string | null | undefined, base: string): string | null {
  const text = raw?.trim();
  if (!text) return null;
  try {
    const url = new URL(text, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The WebSub links of a feed element (WebSub section 4): Atom `<link rel="hub|self">`, which RSS carries as
 * `<atom:link>` (or an unprefixed `<link>` in the Atom namespace). The first of each counts.
 */
function hubLinks(node: unknown, base: string): { hub: string | null; self: string | null } {
  let hub: string | null = null;
  let self: string | null = null;
  for (const link of [...children(node, 'atom:link'), ...children(node, 'link')]) {
    const href = attr(link, 'href');
    if (!href) continue;
    const rels = (attr(link, 'rel') ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('hub')) hub ??= linkHref(href, base);
    if (rels.includes('self')) self ??= linkHref(href, base);
  }
  return { hub, self };
}

function atomText(node: XmlNode | string | undefined): { html: string | null; text: string | null } {
  if (node === undefined) return { html: null, text: null };
  if (isMarkupType(node)) return { html: markupOf(node), text: null };
  return { html: null, text: textOf(node) ?? plainTextOf(node) };
}

function atomItem(built: BuiltItem, node: XmlNode, feedBase: string): RawEntry {
  const base = withBase(node, feedBase);
  const links = atomLinks(node);
  const titleNode = child(node, 'title');
  const summary = atomText(child(node, 'summary'));
  const content = atomText(child(node, 'content'));
  const authorNode = child(node, 'author');
  return {
    guid: textOf(child(node, 'id')) ?? str(built.id),
    link: links.alternate,
    title: isMarkupType(titleNode) ? markupOf(titleNode) : (textOf(titleNode) ?? plainTextOf(titleNode)),
    titleIsHtml: isMarkupType(titleNode),
    summaryHtml: summary.html ?? (summary.text !== null ? escapeText(summary.text) : null),
    contentHtml: content.html,
    contentText: content.text,
    author: textOf(child(authorNode, 'name')) ?? textOf(child(node, 'dc:creator')),
    published: textOf(child(node, 'published')) ?? textOf(child(node, 'issued')) ?? textOf(child(node, 'created')),
    updated: textOf(child(node, 'updated')) ?? textOf(child(node, 'modified')),
    categories: categoriesOf(built, node),
    enclosure: links.enclosure,
    image: imageOf(node),
    base,
  };
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** camelCase names feeds use; the lenient parser upper-cases every name, so they are restored from this. */
const CAMEL_NAMES = new Map(
  ['pubDate', 'lastBuildDate', 'managingEditor', 'webMaster', 'skipHours', 'skipDays', 'textInput', 'isPermaLink', 'feedburner:origLink', 'rdf:RDF', 'itunes:episodeType', 'itunes:newFeedUrl'].map((n) => [n.toLowerCase(), n]),
);

function restoreCase(name: string): string {
  const lower = name.toLowerCase();
  return CAMEL_NAMES.get(lower) ?? lower;
}

async function parseWith(text: string, options: xml2js.ParserOptions): Promise<Record<string, unknown>> {
  const tree = (await new xml2js.Parser({ explicitArray: true, async: false, ...options }).parseStringPromise(text)) as Record<string, unknown> | null;
  if (!tree || typeof tree !== 'object') throw new FeedFormatError('empty XML document');
  return tree;
}

/**
 * Parses strictly first; a document that is not well-formed (an unclosed <br> in a description, a cut-off
 * closing tag) gets a second, lenient parse, as feed readers do. A root element in a prefixed namespace
 * (<r:rss>) is read as if unprefixed.
 */
async function parseTree(text: string): Promise<Record<string, unknown>> {
  const prefix = /^\s*(?:<\?[^>]*\?>\s*|<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*):(?:rss|feed)[\s>]/.exec(text)?.[1];
  const unprefix = prefix ? [(name: string) => (name.startsWith(`${prefix}:`) ? name.slice(prefix.length + 1) : name)] : [];
  try {
    return await parseWith(text, { strict: true, tagNameProcessors: unprefix });
  } catch (strictError) {
    if (strictError instanceof FeedFormatError) throw strictError;
    try {
      return await parseWith(text, { strict: false, tagNameProcessors: [restoreCase, ...unprefix], attrNameProcessors: [restoreCase] });
    } catch {
      const message = (strictError as Error).message.split('\n').slice(0, 3).join(' ').replace(/\s+/g, ' ');
      throw new FeedFormatError(`not well-formed XML: ${message.slice(0, 300)}`);
    }
  }
}

/** Parses an RSS 0.9x/1.0/2.0 or Atom 0.3/1.0 document into raw items, with at most `maxItems` items. */
export async function parseXmlFeed(body: string, feedUrl: string, maxItems: number): Promise<RawFeed> {
  if (/^\s*(<!--[\s\S]*?-->\s*)*<!DOCTYPE\s+html|^\s*<html[\s>]/i.test(body.slice(0, 2_000))) {
    throw new FeedFormatError('an HTML page, not a feed');
  }
  const prepared = prepareXml(body, maxItems);
  const tree = await parseTree(prepared.text);
  const builders = new RssParser({ defaultRSS: 2 }) as unknown as RssBuilders;
  const rootName = Object.keys(tree)[0] ?? '';
  const root = tree[rootName] as XmlNode;
  const base = withBase(root, feedUrl);
  if (rootName === 'feed') {
    const entries = children(root, 'entry').filter((e): e is XmlNode => typeof e === 'object');
    const built = builders.buildAtomFeed({ feed: { ...root, entry: entries.map(stripBodies) } });
    const version = attr(root, 'version');
    const alternate = atomLinks(root).alternate;
    return {
      format: version === '0.3' || attr(root, 'xmlns') === 'http://purl.org/atom/ns#' ? 'atom03' : 'atom1',
      title: plainTextOf(child(root, 'title')),
      siteUrl: alternate ? absoluteUrl(alternate, base) : null,
      ttlMinutes: null,
      ...hubLinks(root, base),
      items: entries.map((node, i) => atomItem(built.items[i] ?? {}, node, base)),
      dropped: prepared.dropped,
    };
  }
  let format: FeedFormat;
  let channel: XmlNode | undefined;
  let itemNodes: XmlNode[];
  let built: BuiltFeed;
  if (rootName === 'rss') {
    // <rss></rss> is an empty feed; a few old feeds put items straight under <rss>.
    const found = child(root, 'channel');
    channel = typeof found === 'object' ? found : {};
    itemNodes = [...children(channel, 'item'), ...children(root, 'item')].filter((e): e is XmlNode => typeof e === 'object');
    const strippedTree = { rss: { ...root, channel: [{ ...channel, item: itemNodes.map(stripBodies) }] } };
    const version = attr(root, 'version') ?? '';
    format = /^0\.9/.test(version) ? 'rss09' : 'rss2';
    built = format === 'rss09' ? builders.buildRSS0_9(strippedTree) : builders.buildRSS2(strippedTree);
  } else if (/(^|:)RDF$/i.test(rootName)) {
    channel = child(root, 'channel') as XmlNode | undefined;
    itemNodes = children(root, 'item').filter((e): e is XmlNode => typeof e === 'object');
    format = 'rss1';
    built = builders.buildRSS1({ 'rdf:RDF': { ...root, channel: [channel ?? {}], item: itemNodes.map(stripBodies) } });
  } else if (/^channel$/i.test(rootName)) {
    throw new FeedFormatError('a CDF document (Microsoft Channel Definition Format), which newsmerge does not read');
  } else {
    throw new FeedFormatError(`unknown feed format (root element <${rootName.slice(0, 40)}>)`);
  }
  const ttl = Number(textOf(child(channel, 'ttl')));
  const siteLink = textOf(child(channel, 'link'));
  return {
    format,
    title: str(built.title) ?? plainTextOf(child(channel, 'title')),
    siteUrl: siteLink ? absoluteUrl(siteLink, base) : null,
    ttlMinutes: Number.isFinite(ttl) && ttl > 0 ? ttl : null,
    ...hubLinks(channel, base),
    items: itemNodes.map((node, i) => rssItem(built.items[i] ?? {}, node, withBase(node, base))),
    dropped: prepared.dropped,
  };
}
