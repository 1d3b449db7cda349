import { canonicalUrl } from './canonical-url.js';
import { normalizeTitle, wordCount } from './normalize-title.js';

/** What the exact stage needs to know of an item. */
export interface KeyedItem {
  guid: string | null;
  link: string | null;
  title: string;
}

/** Exact-match keys of an item: URL-like keys (link, URI guids) merge anywhere; a title key only within the window. */
export interface StoryKeys {
  urlKeys: string[];
  titleKey: string | null;
}

const URI_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The merge key of a guid that is an absolute URI: "u:" + canonical URL for http(s) guids (they name the
 * article like a link does), "g:" + the URI for tag: and urn: guids; null for bare ids such as "12345",
 * which collide across outlets.
 */
export function guidKey(guid: string | null): string | null {
  if (!guid) return null;
  const text = guid.trim();
  if (!URI_SCHEME.test(text)) return null;
  if (/^https?:/i.test(text)) {
    const url = canonicalUrl(text);
    return url ? `u:${url}` : null;
  }
  if (/^(tag|urn):/i.test(text) && text.length > 8) return `g:${text.toLowerCase()}`;
  return null;
}

/** Computes the exact-match keys of an item; titles shorter than `minTitleWords` words get no key. */
export function storyKeys(item: KeyedItem, minTitleWords: number): StoryKeys {
  const urlKeys = new Set<string>();
  const link = canonicalUrl(item.link);
  if (link) urlKeys.add(`u:${link}`);
  const guid = guidKey(item.guid);
  if (guid) urlKeys.add(guid);
  const normalized = normalizeTitle(item.title);
  const titleKey = wordCount(normalized) >= minTitleWords ? `t:${normalized}` : null;
  return { urlKeys: [...urlKeys], titleKey };
}
