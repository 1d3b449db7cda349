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

const TOPIC_PATH = /^[a-z0-9_-]{1,40}(?:\+[a-z0-9_-]{1,40})*$/;

/** Reads the topics a path segment names ("world", "world+science"); null when it cannot name any (an empty part, "world+"). */
export function parseTopicPath(segment: string): string[] | null {
  if (segment.length > 400 || !TOPIC_PATH.test(segment)) return null;
  return [...new Set(segment.split('+'))];
}

/** Parses a story id path segment; anything but a plain number is a 404. */
export function storyIdParam(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new NotFoundError(`No story "${raw.slice(0, 40)}"`);
  return Number(raw);
}
