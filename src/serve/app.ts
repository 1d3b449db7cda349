import { Hono } from 'hono';
import { HttpError } from './http-errors.js';
import { apiRoutes } from './routes/api.js';
import { feedRoutes } from './routes/feeds.js';
import { healthRoutes } from './routes/health.js';
import { pageRoutes } from './routes/pages.js';
import type { ServeContext } from './serve-context.js';

/** Builds the Hono app: every route, and one error handler that maps named errors to HTTP statuses. */
export function createApp(ctx: ServeContext): Hono {
  const app = new Hono();
  app.route('/', healthRoutes(ctx));
  app.route('/', feedRoutes(ctx));
  app.route('/api', apiRoutes(ctx));
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
