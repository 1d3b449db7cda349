import type { Enclosure } from '../store/items.js';
import type { RelatedStory } from '../store/story-links.js';
import type { StoryMember, StorySummary } from '../store/story-queries.js';
import type { Lean } from '../config/outlet-profiles.js';
import { coverageOf, type Coverage, type ProfileLookup } from './coverage.js';

/** One outlet's report of a story. */
export interface SourceView {
  name: string;
  url: string | null;
  title: string;
  published: string;
  /** From the outlet's profile in the current config; null when it gives none. */
  lean: Lean | null;
  country: string | null;
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
  /** Who covers it: counts of its outlets by lean, country and language under the current profiles. */
  coverage: Coverage;
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

const NO_PROFILES: ProfileLookup = () => undefined;

/** Combines a story's aggregates and its items into what outputs show; `profiles` are the config's outlet profiles. */
export function toStoryView(story: StorySummary, members: readonly StoryMember[], related: readonly RelatedStory[] = [], profiles: ProfileLookup = NO_PROFILES): StoryView {
  const representative = members.find((m) => m.id === story.representativeItemId) ?? members[0];
  const byOutlet = new Map<string, StoryMember>();
  for (const m of members) if (!byOutlet.has(m.outlet)) byOutlet.set(m.outlet, m);
  const sources = [...byOutlet.values()].map((m) => {
    const profile = profiles(m.outlet);
    return { name: m.outlet, url: m.link, title: m.title, published: new Date(m.publishedAt).toISOString(), lean: profile?.lean ?? null, country: profile?.country ?? null };
  });
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
    coverage: coverageOf([...byOutlet.keys()], profiles),
  };
}
