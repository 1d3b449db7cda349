import { absoluteUrl, cleanUrl } from '../dedup/canonical-url.js';
import type { Enclosure, Entry } from '../cluster/entry.js';
import { collapseSpace, escapeHtml, htmlToText, sanitizeContent, stripInvalidXmlChars, truncateText } from './html-text.js';
import { parseFeedDate, plausibleDate } from './parse-date.js';

/** An item as a format parser found it: raw strings, HTML not yet sanitized, URLs maybe relative. */
export interface RawEntry {
  guid?: string | null;
  link?: string | null;
  title?: string | null;
  /** True when the title is HTML (Atom type="html"/"xhtml"); RSS titles are read as text with entities. */
  titleIsHtml?: boolean;
  summaryHtml?: string | null;
  contentHtml?: string | null;
  contentText?: string | null;
  author?: string | null;
  published?: string | null;
  updated?: string | null;
  categories?: Array<string | null | undefined>;
  enclosure?: { url?: string | null; type?: string | null; length?: string | number | null } | null;
  image?: string | null;
  /** Base for relative URLs: xml:base, else the feed's URL. */
  base: string;
}

/** Limits that keep one hostile item from costing more than a normal one. */
export const ENTRY_LIMITS = {
  title: 300,
  summary: 600,
  contentBytes: 200_000,
  author: 200,
  categories: 20,
  category: 100,
  guid: 2_000,
};

function text(value: string | null | undefined, asHtml: boolean): string {
  if (!value) return '';
  // RSS titles carry entities and stray tags ("Q&amp;A", "<b>Live</b>"); read them as HTML either way.
  return asHtml || /[<&]/.test(value) ? htmlToText(value) : collapseSpace(stripInvalidXmlChars(value));
}

function htmlText(html: string | null | undefined): string {
  return html ? htmlToText(html.slice(0, ENTRY_LIMITS.contentBytes)) : '';
}

function authorName(raw: string | null | undefined): string | null {
  const value = text(raw, false);
  if (!value) return null;
  // RSS <author> is "email (Name)"; show the name when there is one.
  const named = /^\S+@\S+\s*\((.+)\)$/.exec(value);
  return truncateText(named ? named[1]!.trim() : value, ENTRY_LIMITS.author);
}

function enclosureOf(raw: RawEntry['enclosure'], base: string): Enclosure | null {
  const url = absoluteUrl(raw?.url, base);
  if (!raw || !url) return null;
  const length = Number(raw.length);
  const type = raw.type && /^[\w.+-]+\/[\w.+-]+$/.test(raw.type.trim()) ? raw.type.trim().toLowerCase() : null;
  return { url, type, length: Number.isSafeInteger(length) && length > 0 ? length : null };
}

/** Turns a raw item into an Entry: text cleaned and bounded, HTML sanitized, URLs absolute, dates plausible. Null if empty. */
export function normalizeEntry(raw: RawEntry, fetchedAt: number): Entry | null {
  const guid = raw.guid ? collapseSpace(stripInvalidXmlChars(raw.guid)).slice(0, ENTRY_LIMITS.guid) || null : null;
  const link = cleanUrl(raw.link, raw.base) ?? (guid && /^https?:\/\//i.test(guid) ? cleanUrl(guid) : null);
  const bodyHtml = raw.contentHtml || raw.summaryHtml || (raw.contentText ? escapeHtml(raw.contentText).replace(/\n/g, '<br>') : '');
  const content = bodyHtml ? sanitizeContent(bodyHtml.slice(0, ENTRY_LIMITS.contentBytes), link ?? raw.base) || null : null;
  // A summary with no text ("<p></p>", "&nbsp;") is as good as none: the body's text stands in for it.
  const summary = truncateText(htmlText(raw.summaryHtml) || htmlText(raw.contentHtml) || collapseSpace(stripInvalidXmlChars(raw.contentText ?? '')), ENTRY_LIMITS.summary);
  let title = truncateText(text(raw.title, raw.titleIsHtml ?? false), ENTRY_LIMITS.title);
  if (!title) title = truncateText(summary, 120);
  if (!title && !link) return null;
  if (!title) title = link!;
  const categories = [...new Set((raw.categories ?? []).map((c) => truncateText(text(c, false), ENTRY_LIMITS.category)).filter(Boolean))].slice(0, ENTRY_LIMITS.categories);
  const published = plausibleDate(parseFeedDate(raw.published) ?? parseFeedDate(raw.updated), fetchedAt);
  const updated = plausibleDate(parseFeedDate(raw.updated), fetchedAt);
  return {
    guid,
    link,
    title,
    summary,
    content,
    author: authorName(raw.author),
    published,
    updated: updated !== null && published !== null && updated < published ? published : updated,
    categories,
    enclosure: enclosureOf(raw.enclosure, link ?? raw.base),
    image: absoluteUrl(raw.image, link ?? raw.base),
  };
}
