import type { Enclosure } from '../store/items.js';
import type { RelatedStory } from '../store/story-links.js';
import type { StoryMember, StorySummary } from '../store/story-queries.js';

/** One outlet's report of a story. */
export interface SourceView {
  name: string;
  url: string | null;
  title: string;
  published: string;
}

/** A story likely about the same event, not merged: related coverage. */
export interface RelatedView {
  id: number;
  title: string;
  /** Its outlets. */
  sources: string[];
}

/** A story as every output (feeds, pages, API) shows it. */
export interface StoryView {
  id: number;
  /** Stable, base-URL independent id: urn:newsmerge:story:<id>. */
  guid: string;
  title: string;
  summary: string;
  content: string | null;
  /** Link of the representative item (an outlet's article). */
  articleUrl: string | null;
  author: string | null;
  published: Date;
  updated: Date;
  changedAt: number;
  sourceCount: number;
  itemCount: number;
  /** One entry per outlet (its earliest report), earliest outlet first. */
  sources: SourceView[];
  /** Every item, earliest first. */
  members: StoryMember[];
  categories: string[];
  enclosure: Enclosure | null;
  image: string | null;
  /** Related coverage, strongest link first (at most MAX_RELATED). */
  related: RelatedView[];
}

/** The stable id of a story in every feed format. */
export function storyGuid(id: number): string {
  return `urn:newsmerge:story:${id}`;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Combines a story's aggregates and its items into what outputs show. */
export function toStoryView(story: StorySummary, members: readonly StoryMember[], related: readonly RelatedStory[] = []): StoryView {
  const representative = members.find((m) => m.id === story.representativeItemId) ?? members[0];
  const byOutlet = new Map<string, StoryMember>();
  for (const m of members) if (!byOutlet.has(m.outlet)) byOutlet.set(m.outlet, m);
  const sources = [...byOutlet.values()].map((m) => ({ name: m.outlet, url: m.link, title: m.title, published: new Date(m.publishedAt).toISOString() }));
  const image = representative?.image ?? members.find((m) => m.image)?.image ?? null;
  return {
    id: story.id,
    guid: storyGuid(story.id),
    title: representative?.title ?? '(untitled)',
    summary: representative?.summary ?? '',
    content: representative?.content ?? null,
    articleUrl: representative?.link ?? null,
    author: representative?.author ?? null,
    published: new Date(story.firstPublishedAt),
    updated: new Date(Math.max(story.lastPublishedAt, ...members.map((m) => m.updatedAt ?? 0))),
    changedAt: story.changedAt,
    sourceCount: story.sourceCount,
    itemCount: story.itemCount,
    sources,
    members: [...members],
    categories: parseJson<string[]>(representative?.categories ?? null, []),
    enclosure: parseJson<Enclosure | null>(representative?.enclosure ?? null, null),
    image,
    related: related.map((r) => ({ id: r.relatedId, title: r.title, sources: parseJson<string[]>(r.outlets, []) })),
  };
}
