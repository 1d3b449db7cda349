import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { bearerMatches } from './admin-auth.js';
import { HttpError } from './http-errors.js';
import { adminRoutes } from './routes/admin.js';
import { apiRoutes } from './routes/api.js';
import { feedRoutes } from './routes/feeds.js';
import { healthRoutes } from './routes/health.js';
import { opmlRoutes } from './routes/opml.js';
import { pageRoutes } from './routes/pages.js';
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
  app.route('/api', adminRoutes(ctx));
  app.route('/api', apiRoutes(ctx));
  app.route('/', opmlRoutes(ctx, (authorization) => bearerMatches(ctx.adminToken, authorization)));
  app.route('/', pageRoutes(ctx));
  app.notFound((c) => c.json({ error: `Not found: ${c.req.path.slice(0, 200)}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HttpError) {
      const headers: Record<string, string> = err.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="newsmerge"' } : {};
      return c.json({ error: err.message }, err.status, headers);
    }
    ctx.logger.error({ err, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal server error' }, 500);
  });
  return app;
}
