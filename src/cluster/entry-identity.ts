import { createHash } from 'node:crypto';
import type { Entry } from './entry.js';

/** How a feed's items are told apart: by guid, or by link when its guids cannot be trusted. */
export type GuidMode = 'guid' | 'link';

/** Share of empty or repeated guids in one fetch above which a feed's guids are not trusted. */
export const BAD_GUID_SHARE = 0.05;

function hashOf(...parts: Array<string | null>): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part ?? '').update('\u0000');
  return hash.digest('base64url');
}

/** Decides how this fetch's entries are keyed: once a feed falls back to links, it stays there. */
export function chooseGuidMode(entries: readonly Entry[], current: GuidMode): GuidMode {
  if (current === 'link' || entries.length === 0) return current;
  const seen = new Set<string>();
  let bad = 0;
  for (const e of entries) {
    if (!e.guid || seen.has(e.guid)) bad++;
    else seen.add(e.guid);
  }
  return bad / entries.length > BAD_GUID_SHARE ? 'link' : 'guid';
}

/**
 * The identity of each entry within its feed: guid, else link, else a hash of title and content; in link
 * mode the link, with the date (or title) added when the link repeats. Null marks a repeat within this
 * fetch, which is skipped.
 */
export function entryKeys(entries: readonly Entry[], mode: GuidMode): Array<string | null> {
  const linkCounts = new Map<string, number>();
  for (const e of entries) if (e.link) linkCounts.set(e.link, (linkCounts.get(e.link) ?? 0) + 1);
  const used = new Set<string>();
  return entries.map((e) => {
    let key: string;
    if (mode === 'guid' && e.guid) key = `g:${e.guid}`;
    else if (e.link && (linkCounts.get(e.link) ?? 0) === 1) key = `l:${e.link}`;
    else if (e.link) key = `l:${e.link}#${e.published ?? hashOf(e.title)}`;
    else key = `h:${hashOf(e.title, e.content ?? e.summary)}`;
    if (used.has(key)) return null;
    used.add(key);
    return key;
  });
}

/** A hash of what a reader sees of an entry; when it changes, the stored item is updated in place. */
export function contentHash(e: Entry): string {
  return hashOf(e.title, e.summary, e.content, e.link, e.author, String(e.published ?? ''), e.categories.join('\u0001'), e.enclosure?.url ?? null, e.image);
}
