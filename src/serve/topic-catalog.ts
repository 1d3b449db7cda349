import type { AppConfig, FeedConfig } from '../config/config-schema.js';
import type { Store } from '../store/store.js';
import { BadRequestError, NotFoundError } from './http-errors.js';
import type { ListQuery } from './feed-query.js';
import { topicReach } from './item-topic-view.js';

/** A topic as served: its tag, title, description. */
export interface Topic {
  tag: string;
  title: string;
  description: string;
}

/** A selection of topics with the feed ids behind it, after `exclude` and `source` are applied. */
export interface TopicSelection {
  tags: string[];
  title: string;
  description: string;
  feedIds: number[];
  /** "feedId:tag" keys: items of these topicMode "match" feeds are selected when they fit the tag (item-topic-view.ts). */
  itemTopics: string[];
  sourceFeedIds: number[] | null;
}

/**
 * The current config's topics and feeds, with the database ids of the feeds: tags resolve here, at request
 * time, so retagging a feed in the config applies to everything already stored.
 */
export class TopicCatalog {
  readonly topics: Topic[];
  private readonly idByUrl: Map<string, number>;

  constructor(readonly config: AppConfig, store: Store) {
    this.topics = Object.entries(config.topics).map(([tag, t]) => ({ tag, title: t.title, description: t.description }));
    this.idByUrl = new Map(store.feeds.all().map((f) => [f.url, f.id]));
  }

  /** The topic with this tag, or undefined. */
  topic(tag: string): Topic | undefined {
    return this.topics.find((t) => t.tag === tag);
  }

  /** Ids of the configured feeds carrying any of `tags`. */
  feedIdsFor(tags: readonly string[]): number[] {
    return this.config.feeds.filter((f) => f.tags.some((t) => tags.includes(t))).map((f) => this.idByUrl.get(f.url)).filter((id): id is number => id !== undefined);
  }

  /** Configured feeds matching an outlet name, feed title or feed URL (case-insensitive). */
  feedsForSource(source: string): FeedConfig[] {
    const wanted = source.trim().toLowerCase();
    return this.config.feeds.filter((f) => f.url.toLowerCase() === wanted || f.title.toLowerCase() === wanted || (f.outlet ?? '').toLowerCase() === wanted);
  }

  /**
   * Resolves tags (one topic, several joined by "+", or every topic when `tags` is null) and the query's
   * exclude/source into feed ids. Unknown topics are 404; unknown exclude tags or sources are 400.
   */
  select(tags: readonly string[] | null, query: ListQuery): TopicSelection {
    const chosen = tags ? [...tags] : this.topics.map((t) => t.tag);
    for (const tag of chosen) if (!this.topic(tag)) throw new NotFoundError(`Unknown topic "${tag.slice(0, 60)}"`);
    for (const tag of query.exclude) if (!this.topic(tag)) throw new BadRequestError(`exclude names an unknown topic "${tag.slice(0, 60)}"`);
    const excluded = new Set(this.feedIdsFor(query.exclude));
    // Item-level topics (docs/topics.md): a "match" feed's items are in a topic only when they fit it; /all carries every item.
    const { feedIds, itemTopics } = topicReach(this.config.feeds, chosen, tags === null, (url) => this.idByUrl.get(url), excluded);
    let sourceFeedIds: number[] | null = null;
    if (query.source) {
      const feeds = this.feedsForSource(query.source);
      if (feeds.length === 0) throw new BadRequestError(`source matches no configured outlet, feed title or feed URL: "${query.source.slice(0, 80)}"`);
      sourceFeedIds = feeds.map((f) => this.idByUrl.get(f.url)).filter((id): id is number => id !== undefined);
    }
    const topics = chosen.map((tag) => this.topic(tag)!);
    const title = tags === null ? `${this.config.title}: all topics` : `${this.config.title}: ${topics.map((t) => t.title).join(' + ')}`;
    const description = tags === null ? `Every topic of ${this.config.title}, merged across outlets` : topics.map((t) => t.description || t.title).join(' / ');
    return { tags: chosen, title, description, feedIds, itemTopics, sourceFeedIds };
  }
}
