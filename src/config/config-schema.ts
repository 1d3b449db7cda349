import cron from 'node-cron';
import { z } from 'zod';
import { durationSchema, httpUrlSchema, tagSchema } from './schema-parts.js';
import { classifierThresholdSchema, topicMatchSchema, topicModeSchema } from './topic-rules.js';
import { checkOutletProfiles, outletProfilesSchema } from './outlet-profiles.js';
import { alertsConfigSchema, checkAlerts, websubConfigSchema } from './push-config.js';

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid HTTP header name');

const feedSchema = z.strictObject({
  url: httpUrlSchema,
  title: z.string().trim().min(1, 'must not be empty'),
  /** Display name of the organisation; feeds of one outlet (BBC World, BBC Business) share it. */
  outlet: z.string().trim().min(1).optional(),
  tags: z.array(tagSchema).min(1, 'list at least one topic tag'),
  enabled: z.boolean().default(true),
  headers: z.record(headerName, z.string().regex(/^[^\r\n]*$/, 'header values cannot contain line breaks')).default({}),
  userAgent: z.string().min(1).optional(),
  minInterval: durationSchema.optional(),
  maxInterval: durationSchema.optional(),
  /** "all": every item is in each of the feed's topics; "match": only items that fit the topic (default: all for one tag, match for several). */
  topicMode: topicModeSchema.optional(),
});

const topicSchema = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty'),
  description: z.string().trim().default(''),
  /** The topic's own rules for which items fit it (src/config/topic-rules.ts). */
  match: topicMatchSchema.default(topicMatchSchema.parse({})),
});

const dedupSchema = z.strictObject({
  /** Largest gap between two items' published times for a title or similarity merge. */
  window: durationSchema.default(72 * 3_600_000),
  /** Normalized titles shorter than this many words never merge on their own ("Live updates"). */
  minTitleWords: z.int().min(1).max(50).default(4),
  /** Wire copies: items from two outlets whose word pairs overlap at least this much (MinHash Jaccard) are one story; 0 turns it off. */
  nearDuplicate: z.number().min(0).max(1).default(0.7),
  /** Smallest mean same-event probability over a story's candidate items for a new item to join it. */
  joinThreshold: z.number().gt(0).lt(1).default(0.8),
  /** Smallest support for a story an item did not join to be linked to the item's story as related coverage. */
  relatedThreshold: z.number().gt(0).lt(1).default(0.3),
  /** Smallest mean same-event probability between two stories' items for the periodic merge to make them one. */
  mergeThreshold: z.number().gt(0).lt(1).default(0.8),
  /** Log-odds taken off a pair of items from one outlet (a penalty, never a veto). */
  sameOutletPenalty: z.number().min(0).max(20).default(3),
  /** How many of the best-matching items in the window the pair model looks at for each new item. */
  candidates: z.int().min(1).max(500).default(12),
});

/**
 * A feed URL as WHATWG URL parsing normalizes it (scheme and host lower-cased, default port dropped), without
 * its fragment, which is never sent to the server: two URLs with one key fetch the same document.
 */
function feedUrlKey(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href;
  } catch {
    return url;
  }
}

/** The schema of feeds.config.json; every optional key has the default a new install should get. */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    title: z.string().trim().min(1).default('newsmerge'),
    schedule: z.string().refine((expr) => cron.validate(expr), 'is not a valid cron expression (e.g. "*/5 * * * *")'),
    topics: z.record(tagSchema, topicSchema).refine((t) => Object.keys(t).length > 0, 'define at least one topic'),
    feeds: z.array(feedSchema),
    retentionDays: z.number().positive().default(90),
    keepPerFeed: z.int().min(0).default(50),
    minInterval: durationSchema.default(10 * 60_000),
    maxInterval: durationSchema.default(4 * 3_600_000),
    concurrency: z.int().min(1).max(256).default(8),
    perHostConcurrency: z.int().min(1).max(64).default(2),
    fetchTimeout: durationSchema.default(20_000),
    maxFeedBytes: z.int().min(1_024).default(10 * 1024 * 1024),
    maxItemsPerFeed: z.int().min(1).max(100_000).default(1_000),
    userAgent: z.string().min(1).optional(),
    cacheMaxAge: z.int().min(0).default(300),
    dedup: dedupSchema.default(dedupSchema.parse({})),
    /** Confidence above which the topic classifier is trusted, every class alike (absent: the model's per-class thresholds). */
    classifierThreshold: classifierThresholdSchema.optional(),
    /** Outlet profiles (country, language, lean, owner, labels) keyed by outlet name: see outlet-profiles.ts. */
    outlets: outletProfilesSchema.default({}),
    /** newsmerge as the WebSub hub of its topic feeds (src/config/push-config.ts). */
    websub: websubConfigSchema.default(websubConfigSchema.parse({})),
    /** Story alerts: webhooks told once per story when it first matches (src/config/push-config.ts). */
    alerts: alertsConfigSchema.default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.feeds.forEach((feed, i) => {
      // Compared as the server will fetch them: "HTTP://Host:80/a.xml#x" is the same feed as "http://host/a.xml".
      const key = feedUrlKey(feed.url);
      const first = seen.get(key);
      if (first !== undefined) {
        const same = config.feeds[first]!.url === feed.url ? '' : ` (both are ${key} once normalized)`;
        ctx.addIssue({ code: 'custom', path: ['feeds', i, 'url'], message: `duplicates feeds[${first}].url${same}` });
      } else {
        seen.set(key, i);
      }
      feed.tags.forEach((t, j) => {
        if (!(t in config.topics)) {
          ctx.addIssue({ code: 'custom', path: ['feeds', i, 'tags', j], message: `unknown topic "${t}": define it under "topics"` });
        }
      });
      const min = feed.minInterval ?? config.minInterval;
      const max = feed.maxInterval ?? config.maxInterval;
      if (min > max) ctx.addIssue({ code: 'custom', path: ['feeds', i, 'minInterval'], message: 'is longer than maxInterval' });
    });
    checkOutletProfiles(config.feeds, config.outlets, ctx);
    checkAlerts(config.alerts, config.topics, ctx);
    if (config.minInterval > config.maxInterval) {
      ctx.addIssue({ code: 'custom', path: ['minInterval'], message: 'is longer than maxInterval' });
    }
  });

/** feeds.config.json after validation, with defaults filled in and durations in milliseconds. */
export type AppConfig = z.output<typeof configSchema>;
/** One outlet feed of the config. */
export type FeedConfig = AppConfig['feeds'][number];
/** Tunables of story merging. */
export type DedupConfig = AppConfig['dedup'];
