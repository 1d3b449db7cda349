import type { Store } from '../store/store.js';
import type { StorySummary } from '../store/story-queries.js';
import type { OutletDirectory } from './coverage.js';
import type { ListQuery } from './feed-query.js';
import { BadRequestError } from './http-errors.js';
import { toStoryView, type StoryView } from './story-view.js';
import type { TopicSelection } from './topic-catalog.js';

/** A page of stories and the cursor of the next page (null on the last). */
export interface StoryPage {
  stories: StoryView[];
  nextCursor: string | null;
}

/** Encodes a keyset position (when the story broke, its id) as an opaque cursor. */
export function encodeCursor(story: Pick<StorySummary, 'firstPublishedAt' | 'id'>): string {
  return Buffer.from(`${story.firstPublishedAt}:${story.id}`).toString('base64url');
}

/** Decodes a cursor; a malformed one is a 400 naming the parameter. */
export function decodeCursor(cursor: string): { publishedAt: number; id: number } {
  const m = /^(-?\d{1,16}):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m || cursor.length > 64) throw new BadRequestError('cursor is not a cursor this server handed out');
  return { publishedAt: Number(m[1]), id: Number(m[2]) };
}

/**
 * Loads the items and related coverage of listed stories and builds their views, in the listed order.
 * `outlets` (outletDirectory(ctx)) gives each outlet's profile; without it every outlet counts as unrated.
 */
export function storyViews(store: Store, summaries: readonly StorySummary[], outlets?: OutletDirectory): StoryView[] {
  const ids = summaries.map((s) => s.id);
  const members = store.queries.members(ids);
  const related = store.links.relatedTo(ids);
  return summaries.map((s) => toStoryView(s, members.get(s.id) ?? [], related.get(s.id), outlets?.profile));
}

/**
 * One page of a topic selection, newest first, with keyset pagination: the cursor names the last story
 * shown, so stories arriving meanwhile never shift a page (no repeats, no gaps among existing stories).
 */
export function storyPage(store: Store, selection: TopicSelection, query: ListQuery, outlets?: OutletDirectory): StoryPage {
  const summaries = store.queries.list({
    feedIds: selection.feedIds,
    itemTopics: selection.itemTopics,
    limit: query.limit + 1,
    minSources: query.minSources,
    since: query.since,
    match: query.match,
    sourceFeedIds: selection.sourceFeedIds,
    before: query.cursor ? decodeCursor(query.cursor) : null,
    coverage: outlets?.filter(query.coverage) ?? null,
  });
  const more = summaries.length > query.limit;
  const shown = more ? summaries.slice(0, query.limit) : summaries;
  return { stories: storyViews(store, shown, outlets), nextCursor: more ? encodeCursor(shown[shown.length - 1]!) : null };
}
