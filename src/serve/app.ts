import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { bearerMatches } from './admin-auth.js';
import { errorBody, layout } from './html-layout.js';
import { answersWithPage, HttpError, NotFoundError } from './http-errors.js';
import { adminRoutes } from './routes/admin.js';
import { apiRoutes } from './routes/api.js';
import { assetRoutes } from './routes/assets.js';
import { blindspotRoutes } from './routes/blindspots.js';
import { feedRoutes } from './routes/feeds.js';
import { healthRoutes } from './routes/health.js';
import { opmlRoutes } from './routes/opml.js';
import { pageRoutes } from './routes/pages.js';
import { pushRoutes } from './routes/push.js';
import type { ServeContext } from './serve-context.js';

/** Topic feed files: compressed once per change by their own cache, with a strong ETag per encoding. */
const FEED_FILE = /^\/(?:topics\/[^/]+|all)\.(?:rss|atom|json)$/;

/** Builds the Hono app: every route, request metrics, and one error handler mapping named errors to statuses. */
export function createApp(ctx: ServeContext): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    ctx.metrics.request(c.req.routePath, c.res.status, (performance.now() - started) / 1000);
  });
  // Pages, the API and OPML are small and rendered per request: gzip on the fly is enough for them.
  const compressOnTheFly = compress();
  app.use('*', (c, next) => (FEED_FILE.test(c.req.path) ? next() : compressOnTheFly(c, next)));
  app.route('/', healthRoutes(ctx));
  app.get('/metrics', async (c) => c.body(await ctx.metrics.registry.metrics(), 200, { 'Content-Type': ctx.metrics.registry.contentType }));
  app.route('/', feedRoutes(ctx));
  app.route('/', pushRoutes(ctx));
  app.route('/api', adminRoutes(ctx));
  app.route('/api', apiRoutes(ctx));
  app.route('/', opmlRoutes(ctx, (authorization) => bearerMatches(ctx.adminToken, authorization)));
  app.route('/', assetRoutes());
  app.route('/', blindspotRoutes(ctx));
  app.route('/', pageRoutes(ctx));
  app.notFound((c) => errorResponse(ctx, c, new NotFoundError(`Not found: ${c.req.path.slice(0, 200)}`)));
  app.onError((err, c) => {
    if (!(err instanceof HttpError)) ctx.logger.error({ err, path: c.req.path }, 'request failed');
    return errorResponse(ctx, c, err);
  });
  return app;
}

/**
 * The one place errors become responses: named errors keep their status and message, anything else is a
 * 500. Pages (and paths that look like pages) get an HTML page in the site's layout; the API, feeds,
 * health, metrics and OPML get JSON. Decided by path, not Accept: a browser opening a feed URL gets what a
 * feed reader gets.
 */
export function errorResponse(ctx: ServeContext, c: Context, err: Error): Response | Promise<Response> {
  const status = err instanceof HttpError ? err.status : 500;
  const message = err instanceof HttpError ? err.message : 'internal server error';
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer realm="newsmerge"' } : {};
  if (!answersWithPage(c.req.path)) return c.json({ error: message }, status, headers);
  const retry = status === 400 ? `${ctx.baseUrl}${c.req.path.slice(1)}` : null;
  const siteName = ctx.config().title;
  const body = errorBody({ status, message, baseUrl: ctx.baseUrl, topics: ctx.catalog().topics, retry });
  return c.html(layout({ title: `${message} · ${siteName}`, siteName, baseUrl: ctx.baseUrl, topics: ctx.catalog().topics, alternates: [], body }), status, headers);
}
