import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFresh, negotiateCoding, notModifiedHeaders, okHeaders } from './feed-cache.js';
import { FEED_ROUTES, feedCheckpoint, servable } from './routes/feeds.js';
import type { ServeContext } from './serve-context.js';

/**
 * Answers a topic feed request straight from the cache, in front of Hono, when the exact request URL was
 * served before, the entry may be served (current, or checked within the last second) and the wanted coding is
 * compressed already. It sends what the Hono route would send (same headers, same 304 rules) without
 * building a Request and a Response per hit: a busy feed then costs about what a static file does.
 * Anything else returns false and goes through Hono.
 */
export function createFeedFastPath(ctx: ServeContext): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url) return false;
    const key = ctx.cache.keyForRequest(req.url);
    if (key === undefined) return false;
    const entry = ctx.cache.peek(key);
    if (!entry || !servable(entry, feedCheckpoint(ctx), performance.now())) return false;
    const started = performance.now();
    const route = req.url.startsWith('/topics/') ? FEED_ROUTES.topics : FEED_ROUTES.all;
    const coding = negotiateCoding(header(req, 'accept-encoding'));
    if (isFresh({ ifNoneMatch: header(req, 'if-none-match'), ifModifiedSince: header(req, 'if-modified-since') }, entry, coding)) {
      res.writeHead(304, notModifiedHeaders(entry, coding)).end();
      ctx.metrics.request(route, 304, (performance.now() - started) / 1000);
      return true;
    }
    const body = entry.bodies[coding];
    if (!body) return false;
    res.writeHead(200, okHeaders(entry, coding));
    res.end(req.method === 'HEAD' ? undefined : body);
    ctx.metrics.request(route, 200, (performance.now() - started) / 1000);
    return true;
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
