import type { Logger } from 'pino';
import type { AppConfig } from '../config/config-schema.js';
import { redactUrl } from '../config/redact-url.js';
import type { AddressClassifier } from '../ingest/address-policy.js';
import type { ResolveHost } from '../ingest/dns-lookup.js';
import type { PushedOutcome } from '../ingest/poller.js';
import type { FeedDocuments } from '../serve/feed-documents.js';
import { feedPathOf } from '../serve/feed-documents.js';
import { isoTime } from '../serve/iso-time.js';
import type { FeedState } from '../store/feed-states.js';
import { PushStore, type Delivery, type Subscription } from '../store/push-store.js';
import { AlertChecker, alertKey } from './alerts.js';
import { CoalescedRun } from './coalesced-run.js';
import { DeliveryQueue } from './deliveries.js';
import { createOutbound } from './outbound.js';
import { OutletSubscriptions } from './outlet-subscriptions.js';
import { WebSubHub } from './websub-hub.js';

/** How long finished deliveries stay listed in /api/websub and /api/alerts. */
const KEEP_DELIVERIES_MS = 7 * 86_400_000;
/** How often leases are swept and old rows pruned when nothing else happens. */
const SWEEP_MS = 3_600_000;

/** What starting push needs. */
export interface PushOptions {
  dataDir: string;
  config: () => AppConfig;
  baseUrl: string;
  documents: FeedDocuments;
  now: () => number;
  logger: Logger;
  userAgent: string;
  /** Every feed's state (hub and self URLs of outlets that push). Absent: no subscribing to outlets. */
  feedStates?: () => FeedState[];
  /** Stores a document an outlet's hub pushed, through the poll pipeline on the ingest thread. */
  storePushed?: (feedId: number, body: Buffer, contentType: string | null) => Promise<PushedOutcome>;
  /** Tests: which addresses count as private, how names resolve. */
  classifyAddress?: AddressClassifier;
  resolveHost?: ResolveHost;
}

/**
 * Everything newsmerge pushes: the WebSub hub of its topic feeds and the story alerts, over one persisted
 * delivery queue. It runs on the main thread on its own write connection; nothing in it is awaited by a
 * request for a feed or by the ingest thread.
 */
export class PushService {
  readonly hub: WebSubHub;
  /** newsmerge as a subscriber of outlets' hubs. */
  readonly outlets: OutletSubscriptions;
  private readonly store: PushStore;
  private readonly queue: DeliveryQueue;
  private readonly alerts: AlertChecker;
  private readonly outbound;
  /** Changed topics and new alert matches, looked for after each write (one run at a time). */
  private readonly checks = new CoalescedRun(
    async () => {
      if (this.websubEnabled) await this.hub.check();
      await this.alerts.check();
    },
    (err) => this.o.logger.error({ err }, 'cannot check topics and alerts for pushes'),
  );
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: PushOptions) {
    this.store = new PushStore(o.dataDir);
    this.outbound = createOutbound({ userAgent: o.userAgent, classifyAddress: o.classifyAddress, resolveHost: o.resolveHost });
    const websub = () => o.config().websub;
    const kick = () => this.queue.kick();
    this.hub = new WebSubHub({ store: this.store, documents: o.documents, send: this.outbound.send, config: websub, baseUrl: o.baseUrl, now: o.now, logger: o.logger, queued: kick });
    this.outlets = new OutletSubscriptions({
      store: this.store.outlets,
      feeds: o.feedStates ?? (() => []),
      config: o.config,
      baseUrl: o.baseUrl,
      send: this.outbound.send,
      storePushed: o.storePushed ?? (async () => ({ status: 'ignored', reason: 'no ingest thread' })),
      now: o.now,
      logger: o.logger,
      classifyAddress: o.classifyAddress,
      resolveHost: o.resolveHost,
    });
    this.alerts = new AlertChecker({ store: this.store, documents: o.documents, alerts: () => o.config().alerts, now: o.now, logger: o.logger, queued: kick });
    this.queue = new DeliveryQueue({
      store: this.store,
      send: this.outbound.send,
      config: websub,
      now: o.now,
      logger: o.logger,
      hubUrl: this.hub.url,
      renderTopic: async (topic) => {
        const path = feedPathOf(o.baseUrl, topic);
        if (!path) return { ok: false, error: 'not a feed URL of this server' };
        return o.documents(path);
      },
    });
    this.sweeper = setInterval(() => {
      this.prune();
      this.changed();
    }, SWEEP_MS);
    this.sweeper.unref();
    // Deliveries left pending by the last run resume; alerts new in the config record their baseline.
    this.queue.kick();
    this.changed();
  }

  /** True when the hub is on: feeds advertise it and POST /websub answers. */
  get websubEnabled(): boolean {
    return this.o.config().websub.enabled;
  }

  /** The ingest thread wrote (or the config changed): look for changed topics and new alert matches, soon. */
  changed(): void {
    // Feeds may name a new hub (or none): subscriptions follow, apart from the topic checks (they wait on hubs).
    void this.outlets.check();
    void this.checks.run();
  }

  /** Tries every delivery due now (tests with a fake clock call it after moving the clock). */
  async deliverDue(): Promise<void> {
    await this.queue.pump();
    await this.queue.idle();
  }

  /** Resolves when verifications, checks and due deliveries have all ended (tests). */
  async idle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await this.hub.idle();
      await this.checks.idle();
      await this.queue.idle();
      await this.outlets.idle();
      if (!this.checks.current) return;
    }
  }

  /** Subscriptions and their state, for /api/websub (callbacks redacted: they may carry tokens). */
  subscriptions(): Array<Record<string, unknown>> {
    const now = this.o.now();
    const pending = new Map(this.store.recent('websub', 1_000).filter((d) => d.state === 'pending').map((d) => [d.subscriptionId, d]));
    return this.store.subscriptions().map((s: Subscription) => {
      const d = pending.get(s.id);
      return {
        id: s.id,
        topic: s.topic,
        callback: redactUrl(s.callback),
        state: s.expiresAt <= now ? 'expired' : d ? (d.attempts > 0 ? 'retrying' : 'delivering') : s.lastError ? 'failing' : 'active',
        signed: s.secret !== null,
        leaseSeconds: s.leaseSeconds,
        verifiedAt: isoTime(s.verifiedAt),
        expiresAt: isoTime(s.expiresAt),
        lastDeliveryAt: isoTime(s.lastDeliveryAt),
        lastError: s.lastError,
        pending: d ? deliveryView(d) : null,
      };
    });
  }

  /** Recent WebSub deliveries, newest first. */
  websubDeliveries(limit: number): Array<Record<string, unknown>> {
    return this.store.recent('websub', limit).map(deliveryView);
  }

  /** The configured alerts and their recent deliveries, newest first, for /api/alerts. */
  alertDeliveries(limit: number): { alerts: Array<Record<string, unknown>>; deliveries: Array<Record<string, unknown>> } {
    const alerts = this.o.config().alerts.map((a) => ({ key: alertKey(a), url: redactUrl(a.url), format: a.format, topics: a.topics ?? null, min_sources: a.min_sources ?? null, q: a.q ?? null, lean: a.lean ?? null, signed: a.secret !== undefined }));
    return { alerts, deliveries: this.store.recent('alert', limit).map((d) => ({ ...deliveryView(d), alert: d.alertKey, story: d.storyId })) };
  }

  /** Stops looking and sending; requests under way end on their timeouts. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.queue.close();
    await this.outlets.close();
    await this.hub.idle().catch(() => undefined);
    await this.checks.idle();
    this.outbound.close();
    this.store.close();
  }

  private prune(): void {
    const now = this.o.now();
    try {
      this.store.prune(now - KEEP_DELIVERIES_MS);
    } catch (err) {
      this.o.logger.debug({ err }, 'push rows not pruned this time');
    }
  }
}

function deliveryView(d: Delivery): Record<string, unknown> {
  return {
    id: d.id,
    url: redactUrl(d.url),
    state: d.state,
    attempts: d.attempts,
    createdAt: isoTime(d.createdAt),
    nextAttemptAt: d.state === 'pending' ? isoTime(d.nextAttemptAt) : null,
    finishedAt: isoTime(d.finishedAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
  };
}
