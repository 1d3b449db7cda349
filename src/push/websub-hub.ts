import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebSubConfig } from '../config/push-config.js';
import { redactUrl } from '../config/redact-url.js';
import type { FeedDocuments } from '../serve/feed-documents.js';
import { feedPathOf } from '../serve/feed-documents.js';
import { BadRequestError, HttpError } from '../serve/http-errors.js';
import { isBusyError, type PushStore } from '../store/push-store.js';
import { CoalescedRun } from './coalesced-run.js';
import { CallbackUrlError, checkCallbackUrl, type OutboundRequest, type OutboundResult } from './outbound.js';

/** Lease bounds and default of WebSub subscriptions, in seconds. */
export const LEASE = { min: 3_600, default: 10 * 86_400, max: 30 * 86_400 };
/** Verifications under way at once; more subscription requests are refused (429) until some end. */
const MAX_PENDING_VERIFICATIONS = 64;
const MAX_SECRET_BYTES = 199;

/** A callback host holding as many subscriptions as the hub allows, or too many verifications pending (429). */
class SubscriptionLimitError extends HttpError {
  constructor(message: string) {
    super(429, message);
  }
}

/** A subscription request that passed validation, waiting for its intent to be verified. */
interface IntentRequest {
  mode: 'subscribe' | 'unsubscribe';
  topic: string;
  callback: string;
  callbackHost: string;
  leaseSeconds: number;
  secret: string | null;
}

/** What the hub needs from its surroundings. */
export interface HubOptions {
  store: PushStore;
  documents: FeedDocuments;
  send: (request: OutboundRequest) => Promise<OutboundResult>;
  config: () => WebSubConfig;
  baseUrl: string;
  now: () => number;
  logger: Logger;
  /** Called when a topic changed and deliveries were queued. */
  queued: () => void;
}

function single(form: URLSearchParams, name: string): string | null {
  const values = form.getAll(name);
  if (values.length > 1) throw new BadRequestError(`${name} is given more than once`);
  const value = values[0]?.trim();
  return value ? value : null;
}

/** The content hash a topic is compared by: the document a reader would fetch (sha256, base64url). */
export function contentHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

/**
 * The WebSub hub of this server's topic feeds (W3C WebSub, sections 5-7): validates subscription requests,
 * verifies intent asynchronously with a GET to the callback, keeps subscriptions in SQLite, and after each
 * write of the ingest thread compares every subscribed topic's document with the one last seen, queueing a
 * delivery per subscriber when it changed.
 */
export class WebSubHub {
  private readonly pending = new Map<string, number>();
  private pendingCount = 0;
  private readonly checking = new CoalescedRun(
    () => this.checkTopics(),
    (err) => this.o.logger.error({ err }, 'cannot check subscribed topics for changes'),
  );
  private readonly verifications = new Set<Promise<void>>();

  constructor(private readonly o: HubOptions) {}

  /** The hub URL feeds advertise. */
  get url(): string {
    return `${this.o.baseUrl}websub`;
  }

  /**
   * Validates a subscription request (form fields of POST /websub) and starts verifying it; throws a 400 naming
   * the field, or a 429. Resolves when the request has been accepted (the 202), not when it is verified.
   */
  async request(form: URLSearchParams): Promise<void> {
    const config = this.o.config();
    const mode = single(form, 'hub.mode');
    if (mode !== 'subscribe' && mode !== 'unsubscribe') throw new BadRequestError(`hub.mode must be subscribe or unsubscribe${mode ? `, not "${mode.slice(0, 40)}"` : ''}`);
    const topic = single(form, 'hub.topic');
    if (!topic) throw new BadRequestError('hub.topic is required: the URL of one of this server\'s topic feeds');
    const path = feedPathOf(this.o.baseUrl, topic);
    if (!path) throw new BadRequestError(`hub.topic must be a feed URL of this server: ${this.o.baseUrl}topics/<tag>.rss (or .atom, .json, unions such as world+science, /all.rss, with any feed parameters), not "${topic.slice(0, 200)}"`);
    const doc = await this.o.documents(path);
    if (!doc.ok) throw new BadRequestError(`hub.topic is not a feed of this server: ${doc.error}`);
    const callback = single(form, 'hub.callback');
    if (!callback) throw new BadRequestError('hub.callback is required: the URL the hub verifies and delivers to');
    let callbackUrl: URL;
    try {
      callbackUrl = checkCallbackUrl(callback, config.allowPrivateCallbacks);
    } catch (err) {
      if (err instanceof CallbackUrlError) throw new BadRequestError(`hub.callback ${err.message}`);
      throw err;
    }
    const leaseRaw = single(form, 'hub.lease_seconds');
    if (leaseRaw !== null && !/^\d{1,12}$/.test(leaseRaw)) throw new BadRequestError(`hub.lease_seconds must be a whole number of seconds, not "${leaseRaw.slice(0, 40)}"`);
    const leaseSeconds = Math.min(LEASE.max, Math.max(LEASE.min, leaseRaw === null ? LEASE.default : Number(leaseRaw)));
    const secret = single(form, 'hub.secret');
    if (secret !== null && Buffer.byteLength(secret) > MAX_SECRET_BYTES) throw new BadRequestError(`hub.secret must be shorter than 200 bytes`);
    const host = callbackUrl.host.toLowerCase();
    if (mode === 'subscribe' && !this.o.store.subscriptionOf(topic, callback)) {
      const held = this.o.store.subscriptionsOfHost(host, this.o.now()) + (this.pending.get(host) ?? 0);
      if (held >= config.maxSubscriptionsPerHost) throw new SubscriptionLimitError(`the callback host ${host} holds ${config.maxSubscriptionsPerHost} subscriptions, as many as this hub allows`);
      const totals = this.o.store.subscriptionTotals(this.o.now());
      if (totals.subscriptions + this.pendingCount >= config.maxSubscriptions) throw new SubscriptionLimitError(`this hub holds ${config.maxSubscriptions} subscriptions, as many as it allows`);
      if (this.o.store.subscribers(topic, this.o.now()).length === 0 && totals.topics >= config.maxTopics) throw new SubscriptionLimitError(`this hub follows ${config.maxTopics} distinct feed URLs, as many as it allows; subscribe to one of those already followed`);
    }
    if (this.pendingCount >= MAX_PENDING_VERIFICATIONS) throw new SubscriptionLimitError('too many subscription requests are being verified; try again in a minute');
    this.verify({ mode, topic, callback, callbackHost: host, leaseSeconds, secret });
  }

  /** Resolves when no verification is under way (tests). */
  async idle(): Promise<void> {
    while (this.verifications.size || this.checking.current) {
      await Promise.all([...this.verifications, this.checking.current]);
    }
  }

  private verify(intent: IntentRequest): void {
    this.pendingCount++;
    this.pending.set(intent.callbackHost, (this.pending.get(intent.callbackHost) ?? 0) + 1);
    const run = this.verifyIntent(intent)
      .catch((err: unknown) => this.o.logger.error({ err, topic: intent.topic, callback: redactUrl(intent.callback) }, 'WebSub verification failed unexpectedly'))
      .finally(() => {
        this.pendingCount--;
        const left = (this.pending.get(intent.callbackHost) ?? 1) - 1;
        if (left > 0) this.pending.set(intent.callbackHost, left);
        else this.pending.delete(intent.callbackHost);
        this.verifications.delete(run);
      });
    this.verifications.add(run);
  }

  /** Section 5.3: GET the callback with a challenge; only an echo of it (with a 2xx) confirms the intent. */
  private async verifyIntent(intent: IntentRequest): Promise<void> {
    const config = this.o.config();
    const challenge = randomBytes(24).toString('base64url');
    const url = new URL(intent.callback);
    url.searchParams.append('hub.mode', intent.mode);
    url.searchParams.append('hub.topic', intent.topic);
    url.searchParams.append('hub.challenge', challenge);
    if (intent.mode === 'subscribe') url.searchParams.append('hub.lease_seconds', String(intent.leaseSeconds));
    const result = await this.o.send({ method: 'GET', url: url.href, timeoutMs: config.timeout, maxResponseBytes: 1_024, allowPrivate: config.allowPrivateCallbacks });
    const where = { mode: intent.mode, topic: intent.topic, callback: redactUrl(intent.callback) };
    if (!result.ok || result.body.trim() !== challenge) {
      this.o.logger.info({ ...where, error: result.ok ? 'the challenge was not echoed' : result.error }, 'WebSub intent not verified; nothing changed');
      return;
    }
    await this.retryBusy(() => {
      if (intent.mode === 'unsubscribe') {
        this.o.store.unsubscribe(intent.topic, intent.callback);
        return;
      }
      this.o.store.subscribe({ topic: intent.topic, callback: intent.callback, callbackHost: intent.callbackHost, secret: intent.secret, leaseSeconds: intent.leaseSeconds, at: this.o.now() });
    });
    if (intent.mode === 'subscribe' && this.o.store.topicHash(intent.topic) === null) {
      // The content now is what the subscriber starts from: only later changes are pushed.
      const path = feedPathOf(this.o.baseUrl, intent.topic);
      const doc = path ? await this.o.documents(path) : null;
      if (doc?.ok) await this.retryBusy(() => this.o.store.setTopicHash(intent.topic, contentHash(doc.body), this.o.now()));
    }
    this.o.logger.info({ ...where, leaseSeconds: intent.leaseSeconds }, intent.mode === 'subscribe' ? 'WebSub subscription verified' : 'WebSub subscription removed');
  }

  /**
   * Compares every subscribed topic's document with the last one seen and queues deliveries for those that
   * changed; drops expired leases first. Runs one at a time; a call during a run makes one more run after it.
   */
  check(): Promise<void> {
    return this.checking.run();
  }

  private async checkTopics(): Promise<void> {
    const now = this.o.now();
    const expired = await this.retryBusy(() => this.o.store.dropExpired(now));
    for (const gone of expired ?? []) this.o.logger.info({ topic: gone.topic, callback: redactUrl(gone.callback) }, 'WebSub lease expired; subscription dropped');
    let queued = 0;
    for (const topic of this.o.store.liveTopics(now)) {
      const path = feedPathOf(this.o.baseUrl, topic);
      const doc = path ? await this.o.documents(path) : null;
      if (!doc?.ok) continue;
      const hash = contentHash(doc.body);
      if (hash === this.o.store.topicHash(topic)) continue;
      queued += (await this.retryBusy(() => this.o.store.topicChanged(topic, hash, this.o.now()))) ?? 0;
      // One topic at a time, with requests served in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (queued > 0) this.o.queued();
  }

  /** Runs a write, waiting out a busy database a few times (the ingest thread's transactions are short). */
  private async retryBusy<T>(write: () => T): Promise<T | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return write();
      } catch (err) {
        if (!isBusyError(err) || attempt >= 40) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 + attempt * 25));
      }
    }
  }
}
