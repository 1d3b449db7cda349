import { Hono } from 'hono';
import { errorResponse } from './app.js';
import { HttpError } from './http-errors.js';
import { feedRoutes } from './routes/feeds.js';
import type { ServeContext } from './serve-context.js';

/** A topic feed document as a reader would get it, or why there is none. */
export type FeedDocument = { ok: true; contentType: string; body: Buffer; links: string | null } | { ok: false; status: number; error: string };

/** Renders topic feeds by path ("/topics/world.rss?min_sources=2"), as served. */
export type FeedDocuments = (pathAndQuery: string) => Promise<FeedDocument>;

const FEED_PATH = /^\/(?:topics\/[^/?#]+|all)\.(?:rss|atom|json)$/;

/**
 * The path and query of a topic feed URL of this server ("https://news.example/topics/world.rss?q=x" under
 * base "https://news.example/"), or null when the URL is not under the base URL or names no feed file.
 */
export function feedPathOf(baseUrl: string, topicUrl: string): string | null {
  let url: URL;
  let base: URL;
  try {
    url = new URL(topicUrl);
    base = new URL(baseUrl);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return null;
  const path = `/${url.pathname.slice(base.pathname.length)}`;
  return FEED_PATH.test(path) ? `${path}${url.search}` : null;
}

/**
 * Topic feeds rendered through the very routes that serve them (and their cache), without the network or the
 * request metrics: what the hub pushes and what alerts read is byte for byte what a reader fetching the URL gets.
 */
export function createFeedDocuments(ctx: ServeContext): FeedDocuments {
  const app = new Hono();
  app.route('/', feedRoutes(ctx));
  app.onError((err, c) => {
    if (!(err instanceof HttpError)) ctx.logger.error({ err, path: c.req.path }, 'rendering a feed for push failed');
    return errorResponse(ctx, c, err);
  });
  return async (pathAndQuery) => {
    const response = await app.request(pathAndQuery, { headers: { 'Accept-Encoding': 'identity' } });
    if (response.status !== 200) {
      const text = await response.text();
      let error = `HTTP ${response.status}`;
      try {
        error = (JSON.parse(text) as { error?: string }).error ?? error;
      } catch {
        // Not our JSON error body: the status says enough.
      }
      return { ok: false, status: response.status, error };
    }
    return { ok: true, contentType: response.headers.get('content-type') ?? 'application/octet-stream', body: Buffer.from(await response.arrayBuffer()), links: response.headers.get('link') };
  };
}
