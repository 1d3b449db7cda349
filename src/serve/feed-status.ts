import type { FeedConfig } from '../config/config-schema.js';
import { outletName } from '../config/outlet-profiles.js';
import type { FeedPushView } from '../push/outlet-subscriptions.js';
import type { FeedState } from '../store/feed-states.js';
import { isoTime } from './iso-time.js';
import type { ServeContext } from './serve-context.js';

/** One configured feed's polling state, as /api/feeds and the /feeds page show it. */
export interface FeedStatus {
  url: string;
  title: string;
  outlet: string;
  tags: string[];
  enabled: boolean;
  lastFetchedAt: string | null;
  lastSuccessAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  lastWarning: string | null;
  errorCount: number;
  failingSince: string | null;
  disabledReason: string | null;
  nextFetchAt: string | null;
  intervalSeconds: number | null;
  permanentRedirect: { url: string; since: string | null } | null;
  format: string | null;
  feedTitle: string | null;
  itemCount: number;
  /** The outlet's WebSub hub and newsmerge's subscription to it; null when the feed names no hub. */
  push: FeedPushView | null;
}

/** How the configured feeds fare, in sum: what the home page says when feeds fail. */
export interface FeedHealth {
  total: number;
  /** Feeds whose last attempt failed. */
  failing: number;
  /** Enabled feeds not fetched yet (a new install before its first poll ends). */
  unfetched: number;
  /** The failing feeds grouped by their error, most common first. */
  errors: Array<{ error: string; count: number }>;
}

/** The configured feeds, in config order, each with its state row (none before its first registration). */
function configuredFeeds(ctx: ServeContext): Array<{ feed: FeedConfig; s: FeedState | undefined }> {
  const states = new Map(ctx.store.feeds.all().map((s) => [s.url, s]));
  return ctx.config().feeds.map((feed) => ({ feed, s: states.get(feed.url) }));
}

/** What feedHealth reads of a feed. */
type HealthInput = Pick<FeedStatus, 'enabled' | 'lastError' | 'lastFetchedAt'>;

function healthInput(feed: FeedConfig, s: FeedState | undefined): HealthInput {
  return { enabled: feed.enabled && !s?.disabledReason, lastError: s?.lastError ?? null, lastFetchedAt: isoTime(s?.lastFetchedAt ?? null) };
}

/**
 * The state of every configured feed, in config order. `showUrl` decides how URLs appear: they may carry
 * credentials or API keys, so only the admin sees them in full.
 */
export function feedStatuses(ctx: ServeContext, showUrl: (url: string) => string): FeedStatus[] {
  const feeds = configuredFeeds(ctx);
  const counts = ctx.store.feeds.itemCounts();
  const pushes = ctx.push?.outlets.views(feeds.flatMap(({ s }) => (s ? [s] : []))) ?? new Map<number, FeedPushView>();
  const config = ctx.config();
  return feeds.map(({ feed, s }) => {
    const push = s ? pushes.get(s.id) : undefined;
    return {
      ...healthInput(feed, s),
      url: showUrl(feed.url),
      title: feed.title,
      outlet: outletName(feed),
      tags: feed.tags,
      lastSuccessAt: isoTime(s?.lastSuccessAt ?? null),
      lastStatus: s?.lastStatus ?? null,
      lastWarning: s?.lastWarning ?? null,
      errorCount: s?.errorCount ?? 0,
      failingSince: isoTime(s?.failingSince ?? null),
      disabledReason: feed.enabled ? (s?.disabledReason ?? null) : 'disabled in the config',
      nextFetchAt: isoTime(s?.nextFetchAt ?? null),
      // While a hub pushes, the poll waits maxInterval: that is the interval in force.
      intervalSeconds: s?.pushPolled ? Math.round((feed.maxInterval ?? config.maxInterval) / 1000) : s?.intervalMs ? Math.round(s.intervalMs / 1000) : null,
      permanentRedirect: s?.permanentRedirect ? { url: showUrl(s.permanentRedirect), since: isoTime(s.redirectSince) } : null,
      format: s?.format ?? null,
      feedTitle: s?.feedTitle ?? null,
      itemCount: s ? (counts.get(s.id) ?? 0) : 0,
      push: push ? { ...push, hub: showUrl(push.hub) } : null,
    };
  });
}

/**
 * What feedHealth reads of each configured feed, straight from the feed states: the home page asks on every
 * request, and needs none of the rest of feedStatuses (item counts, push views, URLs).
 */
export function healthInputs(ctx: ServeContext): HealthInput[] {
  return configuredFeeds(ctx).map(({ feed, s }) => healthInput(feed, s));
}

/** Sums up feed states: how many fail, and why (feeds with the same error counted together). */
export function feedHealth(statuses: readonly HealthInput[]): FeedHealth {
  const errors = new Map<string, number>();
  for (const f of statuses) if (f.lastError !== null) errors.set(f.lastError, (errors.get(f.lastError) ?? 0) + 1);
  return {
    total: statuses.length,
    failing: statuses.filter((f) => f.lastError !== null).length,
    unfetched: statuses.filter((f) => f.enabled && f.lastFetchedAt === null).length,
    errors: [...errors].map(([error, count]) => ({ error, count })).sort((a, b) => b.count - a.count || a.error.localeCompare(b.error)),
  };
}
