import { Hono, type Context } from 'hono';
import type { CoverageFilter } from '../../store/coverage-filters.js';
import type { StorySummary } from '../../store/story-queries.js';
import { coverageSearchParams, outletDirectory } from '../coverage.js';
import { isFresh, negotiateCoding, notModifiedHeaders, okHeaders, validatorOf, type CachedFeed, type Coding, type Conditionals } from '../feed-cache.js';
import { parseListQuery, type FeedFormatName, type ListQuery } from '../feed-query.js';
import { feedLinks, parseTopicPath } from '../links.js';
import { NotFoundError } from '../http-errors.js';
import { CONTENT_TYPES, renderFeed, type FeedMeta } from '../render-feed.js';
import type { ServeContext } from '../serve-context.js';
import { storyViews } from '../story-listing.js';
import { feedLinkHeader, hubUrlOf } from '../websub-links.js';
import type { TopicSelection } from '../topic-catalog.js';

const FEED_FILE = /^(.+)\.(rss|atom|json)$/;

/** Splits "world+science.rss" into tags and format; null when it is not a feed file name ("world+.rss" is not). */
export function parseFeedFile(file: string): { tags: string[]; format: FeedFormatName } | null {
  const m = FEED_FILE.exec(file);
  const tags = m ? parseTopicPath(m[1]!) : null;
  return tags ? { tags, format: m![2] as FeedFormatName } : null;
}

function canonicalSearch(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.limit !== 50) params.set('limit', String(query.limit));
  if (query.minSources) params.set('min_sources', String(query.minSources));
  if (query.q) params.set('q', query.q);
  if (query.since !== null) params.set('since', new Date(query.since).toISOString());
  if (query.source) params.set('source', query.source);
  if (query.exclude.length) params.set('exclude', [...query.exclude].sort().join(','));
  for (const [name, value] of coverageSearchParams(query.coverage)) params.set(name, value);
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

/** A changed feed is checked against the database at most this often; between checks its last rendering is served. */
const RECHECK_MS = 1_000;
/** Past this age a changed feed is rendered before answering, whatever the cost: staleness stays bounded. */
const MAX_STALE_MS = 5_000;

interface FeedRequest {
  key: string;
  /** The config the selection was made under; a re-check under another one is dropped. */
  configVersion: number;
  format: FeedFormatName;
  tags: string[] | null;
  query: ListQuery;
  selection: TopicSelection;
  /** The coverage parameters as feed-id lists of the config the selection was made under. */
  coverage: CoverageFilter | null;
  search: string;
}

/** True when a cached rendering may be served as it is: current, or checked less than RECHECK_MS ago. */
export function servable(entry: CachedFeed, checkpoint: string, at: number): boolean {
  return entry.checkedAt === checkpoint || at - entry.verifiedAt < RECHECK_MS;
}

/**
 * Serves one topic feed from the in-memory cache. While the database has not changed since the entry was
 * checked, no SQL runs. While ingest writes every few hundred milliseconds, a request never pays for a
 * re-render: the last rendering is served (with its own validators, so a 304 stays correct) and is checked
 * again at most once a second, in the background. Only a rendering more than MAX_STALE_MS old, or none at
 * all, is made while the request waits; then a client that already has the new content gets its 304 first.
 */
async function serveFeed(c: Context, ctx: ServeContext, tags: string[] | null, format: FeedFormatName): Promise<Response> {
  const url = new URL(c.req.url);
  const query = parseListQuery(url.searchParams, { paged: false });
  const selection: TopicSelection = ctx.catalog().select(tags, query);
  const coverage = outletDirectory(ctx).filter(query.coverage);
  const search = canonicalSearch(query);
  const request: FeedRequest = { key: `${format}|${tags ? selection.tags.join('+') : '*'}|${search}`, configVersion: ctx.configVersion(), format, tags, query, selection, coverage, search };
  const checkpoint = feedCheckpoint(ctx);
  const coding = negotiateCoding(c.req.header('accept-encoding'));
  const conditionals = conditionalsOf(c);
  const at = performance.now();
  let entry = ctx.cache.get(request.key);
  if (entry && !servable(entry, checkpoint, at) && at - entry.verifiedAt < MAX_STALE_MS) {
    refreshInBackground(ctx, request);
  } else if (!entry || !servable(entry, checkpoint, at)) {
    const result = checkFeed(ctx, request, checkpoint, entry, conditionals, coding);
    if (result instanceof Response) return result;
    entry = result;
  }
  ctx.cache.rememberRequest(url.pathname + url.search, request.key);
  if (isFresh(conditionals, entry, coding)) return c.body(null, 304, notModifiedHeaders(entry, coding));
  if (!entry.bodies[coding]) ctx.metrics.feedWork('compress', format);
  const body = await ctx.cache.body(request.key, entry, coding);
  return c.body(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength), 200, okHeaders(entry, coding));
}

/** Re-checks a feed right after the request that found it stale; one busy feed is rendered once, not once per request. */
function refreshInBackground(ctx: ServeContext, request: FeedRequest): void {
  if (!ctx.cache.claimRefresh(request.key)) return;
  setImmediate(() => {
    try {
      // A reload in between cleared the cache: this selection belongs to the old config.
      if (request.configVersion === ctx.configVersion()) checkFeed(ctx, request, feedCheckpoint(ctx), ctx.cache.peek(request.key), null, 'identity');
    } catch (err) {
      ctx.logger.error({ err, feed: request.key }, 'cannot refresh a cached topic feed; the last rendering is served');
    } finally {
      ctx.cache.releaseRefresh(request.key);
    }
  });
}

/**
 * Brings the cached entry of a feed up to date: one cheap listing query decides whether its content changed,
 * and only then is it rendered. With the client's conditionals, a client that has the new content already is
 * answered 304 (returned as a Response) before anything is rendered.
 */
function checkFeed(ctx: ServeContext, request: FeedRequest, checkpoint: string, entry: CachedFeed | undefined, conditionals: Conditionals | null, coding: Coding): CachedFeed | Response {
  const { key, query, selection, tags, format, search, coverage } = request;
  const stories = ctx.store.queries.list({ feedIds: selection.feedIds, itemTopics: selection.itemTopics, limit: query.limit, minSources: query.minSources, since: query.since, match: query.match, sourceFeedIds: selection.sourceFeedIds, coverage });
  const contentKey = `${key}|${ctx.configVersion()}|${stories.map((s) => `${s.id}.${s.version}`).join(',')}`;
  const verifiedAt = performance.now();
  if (entry && entry.contentKey === contentKey) {
    entry.checkedAt = checkpoint;
    entry.verifiedAt = verifiedAt;
    return entry;
  }
  const cacheControl = `public, max-age=${ctx.config().cacheMaxAge}`;
  const validators = { etag: validatorOf(contentKey), lastModified: new Date(lastModifiedOf(stories, ctx.startedAt)).toUTCString(), cacheControl };
  if (conditionals && isFresh(conditionals, validators, coding)) return new Response(null, { status: 304, headers: notModifiedHeaders(validators, coding) });
  const outlets = outletDirectory(ctx);
  const views = storyViews(ctx.store, stories, outlets);
  const meta: FeedMeta = {
    title: selection.title,
    description: selection.description,
    links: feedLinks(ctx.baseUrl, tags ? selection.tags : null, search),
    hub: hubUrlOf(ctx),
    updated: new Date(lastModifiedOf(stories, ctx.startedAt)),
    generator: `newsmerge ${ctx.version}`,
    baseUrl: ctx.baseUrl,
    siteName: ctx.config().title,
    rated: outlets.rated,
  };
  const links = feedLinkHeader(meta.hub, meta.links[format]);
  const fresh: CachedFeed = { contentKey, ...validators, ...(links ? { links } : {}), contentType: CONTENT_TYPES[format], bodies: { identity: Buffer.from(renderFeed(format, views, meta)) }, checkedAt: checkpoint, verifiedAt };
  ctx.metrics.feedWork('render', format);
  ctx.cache.set(key, fresh);
  return fresh;
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
