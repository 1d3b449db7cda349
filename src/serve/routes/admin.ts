import { Hono, type MiddlewareHandler } from 'hono';
import { ConfigError } from '../../config/load-config.js';
import { bearerMatches } from '../admin-auth.js';
import { BadRequestError, NotFoundError, UnauthorizedError, UnavailableError } from '../http-errors.js';
import type { ServeContext } from '../serve-context.js';

/**
 * The admin API, mounted under /api: POST /poll, POST /feeds/refresh?url=, POST /reload. Without a
 * configured token these routes do not exist (404); with one, a missing or wrong bearer is a 401.
 */
export function adminRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  // Per route, not app.use('*'): a sub-app's wildcard middleware would also guard the public GET /api routes.
  const admin: MiddlewareHandler = async (c, next) => {
    if (!ctx.adminToken) throw new NotFoundError(`Not found: ${c.req.path}`);
    if (!bearerMatches(ctx.adminToken, c.req.header('authorization'))) throw new UnauthorizedError();
    await next();
  };

  app.post('/poll', admin, (c) => {
    const { alreadyRunning } = ctx.admin.pollAll();
    const feeds = ctx.config().feeds.filter((f) => f.enabled).length;
    return c.json({ status: 'accepted', feeds, queuedAfterRunningCycle: alreadyRunning }, 202);
  });

  app.post('/feeds/refresh', admin, async (c) => {
    const url = c.req.query('url');
    if (!url) throw new BadRequestError('url is required: the feed URL as written in the config');
    if (!ctx.config().feeds.some((f) => f.url === url)) throw new NotFoundError(`${url.slice(0, 200)} is not a configured feed`);
    const { interrupted } = await ctx.admin.refresh(url);
    if (interrupted) throw new UnavailableError(`${url.slice(0, 200)} was not polled: ${interrupted}; try again shortly`);
    const state = ctx.store.feeds.byUrl(url)!;
    return c.json({
      status: 'polled',
      url,
      lastFetchedAt: state.lastFetchedAt === null ? null : new Date(state.lastFetchedAt).toISOString(),
      lastStatus: state.lastStatus,
      lastError: state.lastError,
      lastWarning: state.lastWarning,
      nextFetchAt: state.nextFetchAt === null ? null : new Date(state.nextFetchAt).toISOString(),
    });
  });

  app.post('/reload', admin, (c) => {
    try {
      const config = ctx.admin.reload();
      return c.json({ status: 'reloaded', feeds: config.feeds.length, topics: Object.keys(config.topics).length });
    } catch (err) {
      if (err instanceof ConfigError) throw new BadRequestError(`${err.message}\nThe running config is kept.`);
      throw err;
    }
  });

  return app;
}
