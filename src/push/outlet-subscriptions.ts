import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config-schema.js';
import { redactUrl } from '../config/redact-url.js';
import { isPrivateAddress, isPublicHost, type AddressClassifier } from '../ingest/address-policy.js';
import { createHostResolver, type ResolveHost } from '../ingest/dns-lookup.js';
import type { PushedOutcome } from '../ingest/poller.js';
import { isoTime } from '../serve/iso-time.js';
import type { FeedState } from '../store/feed-states.js';
import type { OutletPushStore, OutletSubscription } from '../store/outlet-push-store.js';
import { isBusyError } from '../store/push-store.js';
import { CoalescedRun } from './coalesced-run.js';
import { retryDelay } from './deliveries.js';
import type { OutboundRequest, OutboundResult } from './outbound.js';
import { LEASE } from './websub-hub.js';

/** How long a hub may take to verify a request before it counts as failed (WebSub lets hubs verify later). */
const VERIFY_WAIT_MS = 3_600_000;
/** A live lease is renewed once this share of it has passed. */
const RENEW_AT = 0.8;
/** How often subscriptions are looked at without another reason (renewals, retries, verifications overdue). */
const CHECK_EVERY_MS = 5 * 60_000;
/** How long the answer to "is the base URL public?" is trusted. */
const BASE_CHECK_MS = 3_600_000;
/** Pushed documents handed to the ingest thread and not yet stored, at most (each may be maxFeedBytes). */
const MAX_PUSHES_IN_FLIGHT = 16;
/** A refusal by the hub (hub.mode=denied) is tried again after this long. */
const DENIED_RETRY_MS = 24 * 3_600_000;
/** Signature methods of X-Hub-Signature a hub may use (WebSub section 8), strongest last. */
const SIGNATURE_METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

/** How newsmerge answers a request to a callback URL. */
interface CallbackAnswer {
  status: number;
  body: string;
}

/** The push state of one feed, as /api/feeds shows it. */
export interface FeedPushView {
  hub: string;
  state: OutletSubscription['state'] | 'off';
  since: string | null;
  lastPushAt: string | null;
  expiresAt: string | null;
  lastError: string | null;
}

/** What the subscriber side needs from its surroundings. */
export interface OutletSubscriptionsOptions {
  store: OutletPushStore;
  /** Every feed's state as the ingest thread last wrote it (hub and self URLs included). */
  feeds: () => FeedState[];
  config: () => AppConfig;
  baseUrl: string;
  send: (request: OutboundRequest) => Promise<OutboundResult>;
  /** Stores a pushed document through the poll pipeline (on the ingest thread). */
  storePushed: (feedId: number, body: Buffer, contentType: string | null) => Promise<PushedOutcome>;
  now: () => number;
  logger: Logger;
  classifyAddress?: AddressClassifier;
  resolveHost?: ResolveHost;
}

/** Equal strings, compared in constant time (a callback token must not leak through timing). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * True when X-Hub-Signature (`method=hex`) is the HMAC of `body` under `secret` with one of the methods
 * WebSub names; compared in constant time. A missing or malformed header is false.
 */
export function signatureMatches(header: string | undefined, secret: string, body: Buffer): boolean {
  const match = /^\s*([a-z0-9]+)=([0-9a-f]+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const method = match[1]!.toLowerCase();
  if (!SIGNATURE_METHODS.has(method)) return false;
  const expected = createHmac(method, secret).update(body).digest();
  const given = Buffer.from(match[2]!.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The answer to a hub's request, or a 503 while the ingest thread holds the write lock: a hub retries a 5xx
 * verification (section 5.3) and delivers a pushed document again later.
 */
function unlessBusy(answer: () => CallbackAnswer): CallbackAnswer {
  try {
    return answer();
  } catch (err) {
    if (isBusyError(err)) return { status: 503, body: 'busy; try again shortly' };
    throw err;
  }
}

/** Host names that never reach this server from the internet: a hub could not call such a base URL back. */
const LOCAL_NAMES = /(^|\.)(localhost|test|invalid|local|internal|example|lan|home\.arpa)$/i;

/**
 * newsmerge as a WebSub subscriber of outlets (W3C WebSub sections 5.1, 5.3, 7, 8): subscribes to the hub
 * a feed names for its self URL, answers the hub's verification only for a request it made, checks the
 * signature of every push with a secret made per subscription, hands the document to the ingest thread to
 * be stored as a poll would store it, and renews leases before they end. A feed whose subscription is live
 * is polled at maxInterval (the ingest thread reads the same table); when pushes stop, polling resumes.
 * Runs on the main thread; nothing here is awaited by serving or polling.
 */
export class OutletSubscriptions {
  private readonly checking = new CoalescedRun(
    () => this.checkAll(),
    (err) => {
      if (isBusyError(err)) this.o.logger.debug('outlet subscriptions met a busy database; looked at again shortly');
      else this.o.logger.error({ err }, 'cannot check subscriptions to outlets\' hubs');
    },
  );
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timer: NodeJS.Timeout;
  private baseCheck: { at: number; public: boolean } | null = null;
  private readonly resolve: ResolveHost;
  private readonly classify: AddressClassifier;
  private closed = false;
  /**
   * Subscriptions replaced by one at another hub or topic, by feed id: the old hub's unsubscribe verification
   * still reaches their token (kept until verified, for VERIFY_WAIT_MS at most; not across restarts).
   */
  private readonly retired = new Map<number, Array<{ sub: OutletSubscription; at: number }>>();
  /** Feeds whose http:// hub was already logged as not subscribed to. */
  private readonly plainHubsLogged = new Set<string>();

  constructor(private readonly o: OutletSubscriptionsOptions) {
    this.classify = o.classifyAddress ?? isPrivateAddress;
    this.resolve = o.resolveHost ?? createHostResolver();
    this.timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** The callback URL given to a feed's hub. */
  callbackUrl(feedId: number, token: string): string {
    return `${this.o.baseUrl}websub/callback/${feedId}/${token}`;
  }

  /** True when newsmerge subscribes to outlets' hubs: configured so, and the base URL reachable from outside (or allowed). */
  async enabled(): Promise<boolean> {
    const websub = this.o.config().websub;
    if (!websub.subscribeToOutlets) return false;
    if (websub.allowPrivateHubs) return true;
    const now = this.o.now();
    if (!this.baseCheck || now - this.baseCheck.at >= BASE_CHECK_MS) this.baseCheck = { at: now, public: await this.baseIsPublic() };
    return this.baseCheck.public;
  }

  /**
   * Brings subscriptions in line with the feeds: subscribes where a feed names a hub, renews leases that are
   * 80 % through, retries failures with backoff, and unsubscribes where a feed no longer names its hub, was
   * disabled or removed. One run at a time; a call during a run makes one more after it.
   */
  check(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.checking.run();
  }

  /** Answers the hub's verification GET (section 5.3): the challenge only for a request of ours, with our topic. */
  verify(feedId: number, token: string, query: URLSearchParams): CallbackAnswer {
    return unlessBusy(() => this.verifyNow(feedId, token, query));
  }

  private verifyNow(feedId: number, token: string, query: URLSearchParams): CallbackAnswer {
    const sub = this.subscriptionOf(feedId, token);
    if (!sub) return this.verifyRetired(feedId, token, query);
    const mode = query.get('hub.mode');
    const topic = query.get('hub.topic');
    const where = { feedId, hub: redactUrl(sub.hub), topic: redactUrl(sub.topic) };
    if (topic !== sub.topic) {
      this.o.logger.info({ ...where, mode, asked: topic?.slice(0, 300) ?? null }, 'a WebSub verification named another topic; refused');
      return { status: 404, body: 'not the topic of this subscription' };
    }
    const now = this.o.now();
    if (mode === 'denied') {
      // Section 5.2: the hub refuses (now or later); polling goes on, and the hub is asked again in a day.
      const reason = query.get('hub.reason')?.slice(0, 300) ?? 'no reason given';
      this.o.store.update(feedId, { state: 'denied', pendingMode: null, lastError: `the hub denied the subscription: ${reason}`, nextAttemptAt: now + DENIED_RETRY_MS });
      this.o.logger.warn({ ...where, reason }, 'an outlet\'s hub denied the subscription; the feed is polled');
      return { status: 200, body: '' };
    }
    if ((mode !== 'subscribe' && mode !== 'unsubscribe') || sub.pendingMode !== mode) {
      this.o.logger.info({ ...where, mode: mode?.slice(0, 20) ?? null, pending: sub.pendingMode }, 'a WebSub verification for a request newsmerge did not make; refused');
      return { status: 404, body: 'no such request pending' };
    }
    const challenge = query.get('hub.challenge');
    if (!challenge) return { status: 400, body: 'hub.challenge is missing' };
    if (mode === 'unsubscribe') {
      this.o.store.delete(feedId);
      this.o.logger.info(where, 'unsubscribed from an outlet\'s hub');
      return { status: 200, body: challenge };
    }
    const leaseRaw = query.get('hub.lease_seconds');
    const lease = leaseRaw && /^\d{1,10}$/.test(leaseRaw) && Number(leaseRaw) > 0 ? Number(leaseRaw) : LEASE.default;
    this.o.store.update(feedId, {
      state: 'live',
      pendingMode: null,
      leaseSeconds: lease,
      since: sub.state === 'live' && sub.since !== null ? sub.since : now,
      expiresAt: now + lease * 1_000,
      lastError: null,
      failures: 0,
      nextAttemptAt: null,
    });
    this.o.logger.info({ ...where, leaseSeconds: lease, renewal: sub.state === 'live' }, 'subscribed to an outlet\'s hub; the feed is polled at maxInterval while pushes come');
    return { status: 200, body: challenge };
  }

  /**
   * Takes a push (section 7-8): ignored, yet acknowledged, unless signed with this subscription's secret and
   * live (the spec's advice: a 2xx either way, so that a forger learns nothing). A good one goes to the ingest thread.
   */
  receive(feedId: number, token: string, signature: string | undefined, body: Buffer, contentType: string | null): CallbackAnswer {
    return unlessBusy(() => this.receiveNow(feedId, token, signature, body, contentType));
  }

  private receiveNow(feedId: number, token: string, signature: string | undefined, body: Buffer, contentType: string | null): CallbackAnswer {
    const sub = this.subscriptionOf(feedId, token);
    if (!sub) return { status: 404, body: 'no such subscription' };
    const where = { feedId, hub: redactUrl(sub.hub) };
    const now = this.o.now();
    if (!signatureMatches(signature, sub.secret, body)) {
      this.o.logger.warn({ ...where, signature: signature ? 'wrong' : 'missing' }, 'a push without a valid X-Hub-Signature; ignored');
      return { status: 202, body: '' };
    }
    if (sub.state !== 'live' || sub.expiresAt === null || sub.expiresAt <= now) {
      this.o.logger.info({ ...where, state: sub.state }, 'a push for a subscription that is not live; ignored');
      return { status: 202, body: '' };
    }
    if (this.inFlight.size >= MAX_PUSHES_IN_FLIGHT) return { status: 429, body: 'too many pushes being stored; try again shortly' };
    try {
      this.o.store.update(feedId, { lastPushAt: now });
    } catch (err) {
      if (!isBusyError(err)) throw err;
    }
    const run = this.o
      .storePushed(feedId, body, contentType)
      .then((outcome) => {
        if (outcome.status === 'ignored') this.o.logger.info({ ...where, reason: outcome.reason }, 'a pushed document was not stored');
      })
      .catch((err: unknown) => this.o.logger.error({ err, ...where }, 'a pushed document failed to store'))
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return { status: 202, body: '' };
  }

  /** Each feed's push state by feed id, for /api/feeds; feeds naming no hub are absent. */
  views(feeds: readonly FeedState[]): Map<number, FeedPushView> {
    const subs = new Map(this.o.store.all().map((s) => [s.feedId, s]));
    const views = new Map<number, FeedPushView>();
    for (const f of feeds) {
      const sub = subs.get(f.id);
      if (sub) {
        const expired = sub.state === 'live' && sub.expiresAt !== null && sub.expiresAt <= this.o.now();
        views.set(f.id, { hub: sub.hub, state: expired ? 'expired' : sub.state, since: isoTime(sub.since), lastPushAt: isoTime(sub.lastPushAt), expiresAt: isoTime(sub.expiresAt), lastError: sub.lastError });
      } else if (f.hubUrl) {
        views.set(f.id, { hub: f.hubUrl, state: 'off', since: null, lastPushAt: null, expiresAt: null, lastError: null });
      }
    }
    return views;
  }

  /** Resolves when no check and no pushed document is under way (tests). */
  async idle(): Promise<void> {
    while (this.checking.current || this.inFlight.size > 0) await Promise.all([this.checking.current, ...this.inFlight]);
  }

  /** Stops looking; what is under way ends on its own. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.idle().catch(() => undefined);
  }

  /** The old hub of a feed that changed hub (or topic) verifying our unsubscribe request: answered; anything else is 404. */
  private verifyRetired(feedId: number, token: string, query: URLSearchParams): CallbackAnswer {
    const now = this.o.now();
    const list = this.retiredOf(feedId, now);
    const i = list.findIndex((r) => sameText(r.sub.token, token));
    const found = i >= 0 ? list[i]! : null;
    const challenge = query.get('hub.challenge');
    let answer: CallbackAnswer = { status: 404, body: 'no such subscription' };
    if (found && query.get('hub.mode') === 'unsubscribe' && query.get('hub.topic') === found.sub.topic) {
      if (!challenge) return { status: 400, body: 'hub.challenge is missing' };
      list.splice(i, 1);
      this.o.logger.info({ feedId, hub: redactUrl(found.sub.hub), topic: redactUrl(found.sub.topic) }, 'unsubscribed from an outlet\'s former hub');
      answer = { status: 200, body: challenge };
    }
    if (list.length > 0) this.retired.set(feedId, list);
    else this.retired.delete(feedId);
    return answer;
  }

  /** A feed's retired subscriptions whose unsubscribe verification may still come. */
  private retiredOf(feedId: number, now: number): Array<{ sub: OutletSubscription; at: number }> {
    return (this.retired.get(feedId) ?? []).filter((r) => now - r.at < VERIFY_WAIT_MS);
  }

  private subscriptionOf(feedId: number, token: string): OutletSubscription | null {
    if (!Number.isSafeInteger(feedId)) return null;
    const sub = this.o.store.byFeed(feedId);
    return sub && sameText(sub.token, token) ? sub : null;
  }

  private async checkAll(): Promise<void> {
    const on = await this.enabled();
    const config = this.o.config();
    const configured = new Map(config.feeds.map((f) => [f.url, f]));
    const subs = new Map(this.o.store.all().map((s) => [s.feedId, s]));
    for (const state of this.o.feeds()) {
      if (this.closed) return;
      const sub = subs.get(state.id) ?? null;
      subs.delete(state.id);
      try {
        await this.checkOne(state, configured.get(state.url), sub, on, config.websub.allowPrivateHubs);
      } catch (err) {
        // One row met a busy database: the others go on; this one is looked at on the next check.
        if (!isBusyError(err)) throw err;
        this.o.logger.debug({ feedId: state.id }, 'an outlet subscription met a busy database; looked at again on the next check');
      }
    }
    // Rows of feeds that no longer exist at all.
    for (const sub of subs.values()) {
      try {
        await this.unsubscribe(sub);
      } catch (err) {
        if (!isBusyError(err)) throw err;
      }
    }
  }

  private async checkOne(state: FeedState, feed: AppConfig['feeds'][number] | undefined, sub: OutletSubscription | null, on: boolean, allowPrivateHubs: boolean): Promise<void> {
    let wanted = on && feed?.enabled && !state.disabledReason && state.hubUrl && state.selfUrl ? { hub: state.hubUrl, topic: state.selfUrl } : null;
    if (wanted && !allowPrivateHubs && !wanted.hub.toLowerCase().startsWith('https:')) {
      // hub.secret may only travel over HTTPS (WebSub section 5.1): such a hub is not subscribed to; the feed is polled.
      const key = `${state.id} ${wanted.hub}`;
      if (!this.plainHubsLogged.has(key)) {
        this.plainHubsLogged.add(key);
        this.o.logger.info({ feedId: state.id, hub: redactUrl(wanted.hub) }, 'an outlet\'s hub is not HTTPS: not subscribed to (the secret would travel in clear); the feed is polled');
      }
      wanted = null;
    }
    if (!wanted) {
      if (sub) await this.unsubscribe(sub);
      return;
    }
    if (!sub || sub.hub !== wanted.hub || sub.topic !== wanted.topic) {
      // A new hub or topic: a fresh token and secret; the old hub is told to stop (best effort, not awaited for
      // its verification, which is still answered for the old token).
      if (sub && sub.state === 'live') {
        const now = this.o.now();
        this.retired.set(sub.feedId, [...this.retiredOf(sub.feedId, now), { sub, at: now }]);
        await this.sendRequest(sub, 'unsubscribe').catch(() => undefined);
      }
      await this.subscribe(this.o.store.create({ feedId: state.id, ...wanted, token: randomBytes(24).toString('base64url'), secret: randomBytes(32).toString('base64url'), state: 'subscribing', createdAt: this.o.now() }));
      return;
    }
    await this.maintain(sub);
  }

  /** What an existing subscription needs now: a renewal, a retry, or giving up on a verification that never came. */
  private async maintain(sub: OutletSubscription): Promise<void> {
    const now = this.o.now();
    const retryDue = sub.nextAttemptAt === null || sub.nextAttemptAt <= now;
    const waiting = sub.pendingMode !== null && sub.requestedAt !== null && now - sub.requestedAt < VERIFY_WAIT_MS;
    if (sub.pendingMode !== null && !waiting) {
      // The hub accepted the request but never verified it.
      this.failed(sub, 'the hub did not verify the request within an hour');
      return;
    }
    if (waiting) return;
    switch (sub.state) {
      case 'live': {
        if (sub.expiresAt !== null && sub.expiresAt <= now) {
          this.o.store.update(sub.feedId, { state: 'expired', lastError: 'the lease expired before it was renewed' });
          this.o.logger.warn({ feedId: sub.feedId, hub: redactUrl(sub.hub) }, 'a subscription to an outlet\'s hub expired; the feed is polled as usual');
          await this.subscribe({ ...sub, state: 'expired' });
          return;
        }
        const renewAt = sub.expiresAt !== null && sub.leaseSeconds !== null ? sub.expiresAt - (1 - RENEW_AT) * sub.leaseSeconds * 1_000 : now;
        if (now >= renewAt && retryDue) await this.subscribe(sub);
        return;
      }
      case 'unsubscribing':
        // The feed names its hub again.
        await this.subscribe({ ...sub, state: 'subscribing' });
        return;
      default:
        if (retryDue) await this.subscribe(sub);
    }
  }

  private async subscribe(sub: OutletSubscription): Promise<void> {
    // Marked pending before the request: a hub may verify before it answers the POST.
    this.o.store.update(sub.feedId, { pendingMode: 'subscribe', requestedAt: this.o.now(), state: sub.state === 'live' ? 'live' : 'subscribing' });
    const result = await this.sendRequest(sub, 'subscribe');
    if (!result.ok) {
      const current = this.o.store.byFeed(sub.feedId);
      // Verified meanwhile (the hub answered badly after verifying): nothing failed.
      if (current?.pendingMode === 'subscribe') this.failed(current, `the hub refused the request: ${result.error}`);
    } else {
      this.o.logger.info({ feedId: sub.feedId, hub: redactUrl(sub.hub), renewal: sub.state === 'live' }, 'asked an outlet\'s hub for a subscription; waiting for its verification');
    }
  }

  private async unsubscribe(sub: OutletSubscription): Promise<void> {
    const now = this.o.now();
    if (sub.state !== 'live' || (sub.expiresAt !== null && sub.expiresAt <= now)) {
      // Nothing the hub would push to: forgotten at once.
      if (sub.state === 'unsubscribing' && sub.requestedAt !== null && now - sub.requestedAt < VERIFY_WAIT_MS) return;
      this.o.store.delete(sub.feedId);
      return;
    }
    this.o.store.update(sub.feedId, { state: 'unsubscribing', pendingMode: 'unsubscribe', requestedAt: now });
    const result = await this.sendRequest(sub, 'unsubscribe');
    if (!result.ok) this.o.store.delete(sub.feedId);
  }

  /** Records a failed request; retried with doubling delays (1 min to 1 h). A live lease stays live until it ends. */
  private failed(sub: OutletSubscription, error: string): void {
    const failures = sub.failures + 1;
    const live = sub.state === 'live' && sub.expiresAt !== null && sub.expiresAt > this.o.now();
    this.o.store.update(sub.feedId, { state: live ? 'live' : 'failed', pendingMode: null, lastError: error, failures, nextAttemptAt: this.o.now() + retryDelay(failures) });
    this.o.logger.warn({ feedId: sub.feedId, hub: redactUrl(sub.hub), error, failures }, 'a subscription request to an outlet\'s hub failed; retrying later');
  }

  /** POSTs a subscription request to the hub (section 5.1). Hub URLs come from feeds: treated as untrusted. */
  private sendRequest(sub: OutletSubscription, mode: 'subscribe' | 'unsubscribe'): Promise<OutboundResult> {
    const websub = this.o.config().websub;
    const form = new URLSearchParams({ 'hub.mode': mode, 'hub.topic': sub.topic, 'hub.callback': this.callbackUrl(sub.feedId, sub.token) });
    if (mode === 'subscribe') {
      form.set('hub.lease_seconds', String(LEASE.default));
      form.set('hub.secret', sub.secret);
    }
    return this.o.send({
      method: 'POST',
      url: sub.hub,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString()),
      timeoutMs: websub.timeout,
      maxResponseBytes: 4_096,
      allowPrivate: websub.allowPrivateHubs,
    });
  }

  private async baseIsPublic(): Promise<boolean> {
    let host: string;
    try {
      host = new URL(this.o.baseUrl).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return false;
    }
    if (isIP(host)) return !this.classify(host);
    if (!host.includes('.') || LOCAL_NAMES.test(host)) return false;
    return isPublicHost(host, this.classify, this.resolve);
  }
}
