import { Hono, type Context } from 'hono';
import type { StorySummary } from '../../store/story-queries.js';
import { isFresh, negotiateCoding, notModifiedHeaders, okHeaders, validatorOf, type Conditionals } from '../feed-cache.js';
import { parseListQuery, type FeedFormatName, type ListQuery } from '../feed-query.js';
import { feedLinks } from '../links.js';
import { NotFoundError } from '../http-errors.js';
import { CONTENT_TYPES, renderFeed, type FeedMeta } from '../render-feed.js';
import type { ServeContext } from '../serve-context.js';
import { storyViews } from '../story-listing.js';
import type { TopicSelection } from '../topic-catalog.js';

const FEED_FILE = /^([a-z0-9_+-]{1,400})\.(rss|atom|json)$/;

/** Splits "world+science.rss" into tags and format; null when it is not a feed file name. */
export function parseFeedFile(file: string): { tags: string[]; format: FeedFormatName } | null {
  const m = FEED_FILE.exec(file);
  if (!m) return null;
  const tags = [...new Set(m[1]!.split('+').filter(Boolean))];
  return tags.length ? { tags, format: m[2] as FeedFormatName } : null;
}

function canonicalSearch(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.limit !== 50) params.set('limit', String(query.limit));
  if (query.minSources) params.set('min_sources', String(query.minSources));
  if (query.q) params.set('q', query.q);
  if (query.since !== null) params.set('since', new Date(query.since).toISOString());
  if (query.source) params.set('source', query.source);
  if (query.exclude.length) params.set('exclude', [...query.exclude].sort().join(','));
  return params.toString();
}

function lastModifiedOf(stories: readonly StorySummary[], fallback: number): number {
  return stories.reduce((max, s) => Math.max(max, s.changedAt), stories.length ? 0 : fallback);
}

/** The request headers that decide a 304. */
export function conditionalsOf(c: Context): Conditionals {
  return { ifNoneMatch: c.req.header('if-none-match'), ifModifiedSince: c.req.header('if-modified-since') };
}

/** When the cached entry of a feed was last known to be current: database and config versions. */
export function feedCheckpoint(ctx: ServeContext): string {
  return `${ctx.store.dataVersion()}|${ctx.configVersion()}`;
}

/**
 * Serves one topic feed from the in-memory cache. While the database has not changed since the entry was
 * checked, no SQL runs; after a change one cheap listing query decides whether the content changed, and a
 * client that already has the new content gets its 304 before anything is rendered.
 */
async function serveFeed(c: Context, ctx: ServeContext, tags: string[] | null, format: FeedFormatName): Promise<Response> {
  const url = new URL(c.req.url);
  const query = parseListQuery(url.searchParams);
  const selection: TopicSelection = ctx.catalog().select(tags, query);
  const search = canonicalSearch(query);
  const key = `${format}|${tags ? selection.tags.join('+') : '*'}|${search}`;
  const checkpoint = feedCheckpoint(ctx);
  const cacheControl = `public, max-age=${ctx.config().cacheMaxAge}`;
  const coding = negotiateCoding(c.req.header('accept-encoding'));
  const conditionals = conditionalsOf(c);
  let entry = ctx.cache.get(key);
  if (!entry || entry.checkedAt !== checkpoint) {
    const stories = ctx.store.queries.list({ feedIds: selection.feedIds, limit: query.limit, minSources: query.minSources, since: query.since, match: query.match, sourceFeedIds: selection.sourceFeedIds });
    const contentKey = `${key}|${ctx.configVersion()}|${stories.map((s) => `${s.id}.${s.version}`).join(',')}`;
    if (entry && entry.contentKey === contentKey) {
      entry.checkedAt = checkpoint;
    } else {
      const validators = { etag: validatorOf(contentKey), lastModified: new Date(lastModifiedOf(stories, ctx.startedAt)).toUTCString(), cacheControl };
      if (isFresh(conditionals, validators, coding)) return c.body(null, 304, notModifiedHeaders(validators, coding));
      const views = storyViews(ctx.store, stories);
      const meta: FeedMeta = {
        title: selection.title,
        description: selection.description,
        links: feedLinks(ctx.baseUrl, tags ? selection.tags : null, search),
        updated: new Date(lastModifiedOf(stories, ctx.startedAt)),
        generator: `newsmerge ${ctx.version}`,
        baseUrl: ctx.baseUrl,
        siteName: ctx.config().title,
      };
      entry = { contentKey, ...validators, contentType: CONTENT_TYPES[format], bodies: { identity: Buffer.from(renderFeed(format, views, meta)) }, checkedAt: checkpoint };
      ctx.metrics.feedWork('render', format);
      ctx.cache.set(key, entry);
    }
  }
  ctx.cache.rememberRequest(url.pathname + url.search, key);
  if (isFresh(conditionals, entry, coding)) return c.body(null, 304, notModifiedHeaders(entry, coding));
  if (!entry.bodies[coding]) ctx.metrics.feedWork('compress', format);
  const body = await ctx.cache.body(key, entry, coding);
  return c.body(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength), 200, okHeaders(entry, coding));
}

/** Route patterns of the topic feeds; the fast path labels its metrics with the same ones. */
export const FEED_ROUTES = {
  topics: '/topics/:file{[^/]+\\.(?:rss|atom|json)}',
  all: '/:file{all\\.(?:rss|atom|json)}',
} as const;

/** Topic feeds: /topics/<tag>[+<tag>...].rss|.atom|.json and /all.rss|.atom|.json. */
export function feedRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  app.get(FEED_ROUTES.topics, (c) => {
    const parsed = parseFeedFile(c.req.param('file'));
    if (!parsed) throw new NotFoundError(`Unknown topic feed "${c.req.param('file').slice(0, 80)}"`);
    return serveFeed(c, ctx, parsed.tags, parsed.format);
  });
  app.get(FEED_ROUTES.all, (c) => serveFeed(c, ctx, null, c.req.param('file').slice(4) as FeedFormatName));
  return app;
}
