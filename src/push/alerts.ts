import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertConfig } from '../config/push-config.js';
import { redactUrl } from '../config/redact-url.js';
import { coverageLine, sideCounts, type Coverage } from '../serve/coverage.js';
import type { FeedDocuments } from '../serve/feed-documents.js';
import { isBusyError, type PushStore } from '../store/push-store.js';
import { signature } from './deliveries.js';

/** Stories of an alert's listing looked at per check: the newest matches (a story that newly matches is recent). */
const ALERT_WINDOW = 200;

/** What a story alert tells, read from the JSON Feed item of the story. */
interface AlertStory {
  id: number;
  title: string;
  url: string;
  externalUrl: string | null;
  published: string;
  sourceCount: number;
  outlets: Array<{ name: string; title: string; url: string | null }>;
  coverage: unknown;
}

/**
 * Identifies an alert by what it matches and where it goes (not its format or secret): editing either of
 * those keeps the stories already alerted; editing the match or URL makes a new alert.
 */
export function alertKey(alert: AlertConfig): string {
  const what = { url: alert.url, topics: alert.topics ? [...alert.topics].sort() : null, min_sources: alert.min_sources ?? null, q: alert.q ?? null, lean: alert.lean ? [...alert.lean].sort() : null };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
}

/** The topic feed an alert watches: its topics (or all), its filters as feed parameters, newest ALERT_WINDOW stories. */
function alertFeedPath(alert: AlertConfig): string {
  const params = new URLSearchParams({ limit: String(ALERT_WINDOW) });
  if (alert.min_sources) params.set('min_sources', String(alert.min_sources));
  if (alert.q) params.set('q', alert.q);
  if (alert.lean) params.set('lean', alert.lean.join(','));
  return `/${alert.topics ? `topics/${[...new Set(alert.topics)].join('+')}` : 'all'}.json?${params}`;
}

function storiesOf(feed: unknown): AlertStory[] {
  const items = ((feed as { items?: unknown[] }).items ?? []) as Array<Record<string, any>>;
  return items.flatMap((item) => {
    const nm = item._newsmerge as Record<string, any> | undefined;
    if (!nm || typeof nm.story_id !== 'number') return [];
    const sources = (Array.isArray(nm.sources) ? nm.sources : []) as Array<Record<string, any>>;
    return [{
      id: nm.story_id,
      title: String(item.title ?? ''),
      url: String(item.url ?? ''),
      externalUrl: typeof item.external_url === 'string' ? item.external_url : null,
      published: String(item.date_published ?? ''),
      sourceCount: typeof nm.source_count === 'number' ? nm.source_count : sources.length,
      outlets: sources.map((s) => ({ name: String(s.name ?? ''), title: String(s.title ?? ''), url: typeof s.url === 'string' ? s.url : null })),
      coverage: nm.coverage ?? null,
    }];
  });
}

/** "Covered by 3 outlets: A, B, C" (names de-duplicated, in the order the story lists them). */
function coveredBy(story: AlertStory): string {
  const names = [...new Set(story.outlets.map((o) => o.name))];
  return `Covered by ${story.sourceCount === 1 ? '1 outlet' : `${story.sourceCount} outlets`}: ${names.join(', ')}`;
}

/** "Coverage: 2 left · 1 center · 0 right" when outlets are rated, else null. */
function coverageText(coverage: unknown): string | null {
  const c = coverage as Coverage | null;
  if (!c?.lean) return null;
  const s = sideCounts(c.lean);
  return s.left + s.center + s.right === 0 ? null : `Coverage: ${coverageLine(c)}`;
}

const slackEscape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A header value as ntfy reads it: plain ASCII, else RFC 2047 encoded (Node refuses other bytes in headers). */
function headerText(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').slice(0, 250);
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat).toString('base64')}?=`;
}

/** The request body and headers of an alert in its format; `json` and any format with a secret are signed. */
function alertMessage(alert: AlertConfig, story: AlertStory): { contentType: string; headers: Record<string, string>; body: Buffer } {
  const lines = [coveredBy(story), coverageText(story.coverage)].filter((l): l is string => l !== null);
  let contentType = 'application/json';
  const headers: Record<string, string> = {};
  let body: string;
  switch (alert.format) {
    case 'slack':
      body = JSON.stringify({ text: `*<${story.url}|${slackEscape(story.title)}>*\n${lines.map(slackEscape).join('\n')}`, unfurl_links: false });
      break;
    case 'discord':
      // No mentions: a headline containing "@everyone" must not ping a whole server.
      body = JSON.stringify({ content: `**${story.title}**\n${lines.join('\n')}\n<${story.url}>`.slice(0, 2_000), allowed_mentions: { parse: [] } });
      break;
    case 'ntfy':
      contentType = 'text/plain; charset=utf-8';
      headers.Title = headerText(story.title);
      headers.Click = story.url;
      headers.Tags = 'newspaper';
      body = lines.join('\n');
      break;
    default:
      body = JSON.stringify({
        type: 'newsmerge.story_alert',
        alert: { topics: alert.topics ?? null, min_sources: alert.min_sources ?? null, q: alert.q ?? null, lean: alert.lean ?? null },
        story: {
          id: story.id,
          title: story.title,
          url: story.url,
          ...(story.externalUrl ? { external_url: story.externalUrl } : {}),
          published: story.published,
          source_count: story.sourceCount,
          outlets: story.outlets,
          coverage: story.coverage,
        },
      });
  }
  const bytes = Buffer.from(body);
  if (alert.secret) headers['X-Hub-Signature'] = signature(alert.secret, bytes);
  return { contentType, headers, body: bytes };
}

/** What alert checks need. */
export interface AlertOptions {
  store: PushStore;
  documents: FeedDocuments;
  alerts: () => readonly AlertConfig[];
  now: () => number;
  logger: Logger;
  queued: () => void;
}

/**
 * Checks every configured alert against its listing after each write of the ingest thread: a story in the
 * listing that the alert has not fired for fires now, once (recorded with its delivery in one transaction).
 * An alert seen for the first time only records what matches already: adding an alert to a running server
 * does not send a burst of old stories.
 */
export class AlertChecker {
  private readonly warned = new Set<string>();
  /** The configured alert keys whose removed predecessors were last forgotten (null: not yet). */
  private forgotFor: string | null = null;

  constructor(private readonly o: AlertOptions) {}

  /** Checks each alert once. */
  async check(): Promise<void> {
    let queued = 0;
    this.forgetRemoved();
    for (const alert of this.o.alerts()) {
      const key = alertKey(alert);
      const doc = await this.o.documents(alertFeedPath(alert));
      if (!doc.ok) {
        // A lean nobody is rated with, a topic removed by a reload: said once per alert, not after every poll.
        if (!this.warned.has(key)) this.o.logger.warn({ alert: redactUrl(alert.url), error: doc.error }, 'a story alert cannot be checked');
        this.warned.add(key);
        continue;
      }
      this.warned.delete(key);
      const stories = storiesOf(JSON.parse(doc.body.toString('utf8')));
      const baseline = !this.o.store.alertSeen(key);
      const fired = this.o.store.firedStories(key, stories.map((s) => s.id));
      const fresh = stories.filter((s) => !fired.has(s.id));
      if (fresh.length === 0 && !baseline) continue;
      const rows = fresh.map((s) => ({ storyId: s.id, delivery: baseline ? null : { url: alert.url, ...alertMessage(alert, s) } }));
      try {
        const n = this.o.store.fireAlert(key, this.o.now(), rows);
        queued += n;
        if (n > 0) this.o.logger.info({ alert: redactUrl(alert.url), stories: fresh.map((s) => s.id) }, 'story alert fired');
      } catch (err) {
        // Not recorded, so not fired: the next check finds the same stories again.
        if (!isBusyError(err)) throw err;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (queued > 0) this.o.queued();
  }

  /** When the configured alerts changed (or at start): forgets the seen and fired rows of alerts no longer configured. */
  private forgetRemoved(): void {
    const keys = [...new Set(this.o.alerts().map(alertKey))].sort();
    const id = keys.join(',');
    if (id === this.forgotFor) return;
    try {
      this.o.store.forgetAlertsExcept(keys);
      this.forgotFor = id;
    } catch (err) {
      // Tried again on the next check.
      if (!isBusyError(err)) throw err;
    }
  }
}
