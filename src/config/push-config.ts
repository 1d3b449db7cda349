import { z } from 'zod';
import { durationSchema, httpUrlSchema, tagSchema } from './schema-parts.js';
import { LEANS } from './outlet-profiles.js';

const durationMs = (fallback: number) => durationSchema.default(fallback);
const webhookUrl = httpUrlSchema;

/** The `websub` section: newsmerge as the WebSub hub of its own topic feeds. */
export const websubConfigSchema = z.strictObject({
  /** Serve POST /websub and push to subscribers; false answers 404 there and advertises no hub. */
  enabled: z.boolean().default(true),
  /** Callbacks on loopback, private or link-local addresses are refused unless this is true (tests, a LAN reader). */
  allowPrivateCallbacks: z.boolean().default(false),
  /** Verified subscriptions one callback host may hold; more are refused with 429. */
  maxSubscriptionsPerHost: z.int().min(1).max(100_000).default(100),
  /** Live subscriptions the hub holds in all: hosts are cheap (wildcard DNS), so the per-host cap alone bounds nothing. */
  maxSubscriptions: z.int().min(1).max(1_000_000).default(1_000),
  /** Distinct topic URLs (feeds with their query) subscribed to: each is rendered after every write that changes data. */
  maxTopics: z.int().min(1).max(100_000).default(200),
  /** Deliveries (WebSub and alerts) under way at once. */
  concurrency: z.int().min(1).max(64).default(4),
  /** Time allowed for one verification or delivery request, response included. */
  timeout: durationMs(10_000),
  /** A delivery failing this long after its first attempt is given up (logged; a WebSub subscription is dropped). */
  retryFor: durationMs(24 * 3_600_000),
  /** Subscribe to the hubs outlets' feeds name (needs a public NEWSMERGE_BASE_URL, which the hubs call back). */
  subscribeToOutlets: z.boolean().default(true),
  /**
   * Subscribe even though the base URL is loopback or private, and to hubs on such addresses (tests, a LAN):
   * hub URLs come from outlets' feeds, so by default a private one is refused like a private callback.
   */
  allowPrivateHubs: z.boolean().default(false),
});

/** Values `lean` of an alert accepts: the lean scale; "left" and "right" mean a whole side, as in the lean parameter of feeds. */
export const ALERT_LEANS = LEANS;

const alertSchema = z.strictObject({
  /** Where the alert is POSTed (a webhook of Slack, Discord, an ntfy topic URL, or any JSON receiver). */
  url: webhookUrl,
  /** Topics the story must be in (any of them); absent: every topic. */
  topics: z.array(tagSchema).min(1, 'list at least one topic, or leave topics out').optional(),
  /** Outlets that must cover the story before it alerts. */
  min_sources: z.int().min(1).max(1_000).optional(),
  /** Search words the story must match (as the q parameter of feeds). */
  q: z.string().trim().min(1, 'must not be empty').max(200, 'takes at most 200 characters').optional(),
  /** Leans of outlets one of which must cover the story (as the lean parameter of feeds; needs outlet profiles with a lean). */
  lean: z.array(z.enum(ALERT_LEANS, { error: () => `must be one of ${ALERT_LEANS.join(', ')}` })).min(1).optional(),
  format: z.enum(['json', 'slack', 'ntfy', 'discord'], { error: () => 'must be one of json, slack, ntfy, discord' }),
  /** Signs each request: X-Hub-Signature: sha256=<HMAC of the body>. */
  secret: z.string().min(1).max(199, 'must be shorter than 200 characters').optional(),
});

/** The `alerts` list of feeds.config.json. */
export const alertsConfigSchema = z.array(alertSchema).max(100, 'at most 100 alerts');

/** One story alert of the config. */
export type AlertConfig = z.output<typeof alertSchema>;
/** The websub section after validation. */
export type WebSubConfig = z.output<typeof websubConfigSchema>;

interface IssueSink {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void;
}

/** Reports alert topics the config does not define (the JSON path names the alert and the tag). */
export function checkAlerts(alerts: readonly AlertConfig[], topics: Record<string, unknown>, ctx: IssueSink): void {
  alerts.forEach((alert, i) => {
    alert.topics?.forEach((t, j) => {
      if (!(t in topics)) ctx.addIssue({ code: 'custom', path: ['alerts', i, 'topics', j], message: `unknown topic "${t}": define it under "topics"` });
    });
  });
}
