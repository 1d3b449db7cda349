import { FEED_FORMATS, type FeedFormatName } from './feed-query.js';
import { NotFoundError } from './http-errors.js';

/** The page of a story on this server. */
export function storyPageUrl(baseUrl: string, id: number): string {
  return `${baseUrl}stories/${id}`;
}

/** Absolute URLs of a topic selection's feeds in every format, and of its HTML page (`tags` null: every topic). */
export function feedLinks(baseUrl: string, tags: readonly string[] | null, search: string): Record<FeedFormatName, string> & { html: string } {
  const path = tags ? `topics/${tags.join('+')}` : 'all';
  const qs = search ? `?${search}` : '';
  const links = Object.fromEntries(FEED_FORMATS.map((f) => [f, `${baseUrl}${path}.${f}${qs}`])) as Record<FeedFormatName, string>;
  return { ...links, html: `${baseUrl}${tags ? path : ''}${qs}` };
}

/** Parses a story id path segment; anything but a plain number is a 404. */
export function storyIdParam(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new NotFoundError(`No story "${raw.slice(0, 40)}"`);
  return Number(raw);
}
