import { Hono } from 'hono';
import { redactUrl } from '../../config/redact-url.js';
import type { ServeContext } from '../serve-context.js';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The JSON API: feeds and their polling state. */
export function apiRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  app.get('/feeds', (c) => {
    const states = new Map(ctx.store.feeds.all().map((s) => [s.url, s]));
    const counts = ctx.store.feeds.itemCounts();
    const feeds = ctx.config().feeds.map((feed) => {
      const s = states.get(feed.url);
      return {
        url: redactUrl(feed.url),
        title: feed.title,
        outlet: feed.outlet ?? feed.title,
        tags: feed.tags,
        enabled: feed.enabled && !s?.disabledReason,
        lastFetchedAt: iso(s?.lastFetchedAt ?? null),
        lastSuccessAt: iso(s?.lastSuccessAt ?? null),
        lastStatus: s?.lastStatus ?? null,
        lastError: s?.lastError ?? null,
        errorCount: s?.errorCount ?? 0,
        failingSince: iso(s?.failingSince ?? null),
        disabledReason: feed.enabled ? (s?.disabledReason ?? null) : 'disabled in the config',
        nextFetchAt: iso(s?.nextFetchAt ?? null),
        intervalSeconds: s?.intervalMs ? Math.round(s.intervalMs / 1000) : null,
        permanentRedirect: s?.permanentRedirect ? { url: redactUrl(s.permanentRedirect), since: iso(s.redirectSince) } : null,
        format: s?.format ?? null,
        feedTitle: s?.feedTitle ?? null,
        itemCount: s ? (counts.get(s.id) ?? 0) : 0,
      };
    });
    return c.json({ feeds });
  });
  return app;
}
