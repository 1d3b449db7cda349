import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { redactUrl } from '../config/redact-url.js';
import type { WebSubConfig } from '../config/push-config.js';
import { isBusyError, type AttemptRecord, type Delivery, type PushStore } from '../store/push-store.js';
import type { OutboundRequest, OutboundResult } from './outbound.js';

/** First retry delay; each failure doubles it, up to MAX_RETRY_DELAY_MS. */
export const FIRST_RETRY_DELAY_MS = 60_000;
const MAX_RETRY_DELAY_MS = 3_600_000;
/** Longest real wait between two looks at the queue (the clock may be a test's, which timers do not follow). */
const MAX_TIMER_MS = 30_000;
/** Response bytes read from a subscriber or webhook: only the status matters. */
const MAX_RESPONSE_BYTES = 16 * 1024;

/** What a WebSub delivery sends: the topic's current document, rendered at send time. */
export type RenderTopic = (topic: string) => Promise<{ ok: true; contentType: string; body: Buffer } | { ok: false; error: string }>;

/** `sha256=<hex HMAC>` of a body: the X-Hub-Signature value (WebSub section 8, and alerts alike). */
export function signature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Delay before the next attempt after `failures` failed ones. */
export function retryDelay(failures: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, failures - 1));
}

/** What the queue needs from its surroundings. */
export interface DeliveryQueueOptions {
  store: PushStore;
  send: (request: OutboundRequest) => Promise<OutboundResult>;
  config: () => WebSubConfig;
  now: () => number;
  logger: Logger;
  hubUrl: string;
  renderTopic: RenderTopic;
}

/**
 * The persisted queue of pushes (WebSub content distribution and alerts): at most `concurrency` requests under
 * way, each failure retried with doubling delays until `retryFor` after the first attempt, then given up and
 * logged (a WebSub subscription given up on is dropped). Rows live in SQLite, so a restart resumes them.
 * Everything runs on timers and promises: nothing here is awaited by serving or polling.
 */
export class DeliveryQueue {
  private readonly inFlight = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly o: DeliveryQueueOptions) {}

  /** Looks at the queue soon (something was queued). */
  kick(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), 0);
    this.timer.unref();
  }

  /** Starts every due delivery that fits in the concurrency limit; resolves when those started have ended. */
  async pump(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const started: Promise<void>[] = [];
    try {
      const free = this.o.config().concurrency - this.inFlight.size;
      if (free > 0) {
        const due = this.o.store.due(this.o.now(), free + this.inFlight.size).filter((d) => !this.inFlight.has(d.id)).slice(0, free);
        for (const delivery of due) {
          const run = this.attempt(delivery)
            .catch((err: unknown) => this.o.logger.error({ err, delivery: delivery.id }, 'a push delivery failed unexpectedly; it is retried'))
            .finally(() => {
            this.inFlight.delete(delivery.id);
            // A slot is free: the next due delivery may go.
            if (!this.closed) this.kick();
          });
          this.inFlight.set(delivery.id, run);
          started.push(run);
        }
      }
    } catch (err) {
      this.o.logger.error({ err }, 'cannot read the push delivery queue; trying again shortly');
    }
    this.schedule();
    await Promise.all(started);
  }

  /** Resolves when nothing is under way and nothing is due now (tests wait on this). */
  async idle(): Promise<void> {
    for (let i = 0; i < 1_000; i++) {
      if (this.inFlight.size === 0) {
        const next = this.o.store.nextDue();
        if (next === null || next > this.o.now()) return;
        await this.pump();
      } else {
        await Promise.all(this.inFlight.values());
      }
    }
  }

  /** Stops starting deliveries; those under way end on their own timeouts. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled(this.inFlight.values());
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    let next: number | null = null;
    try {
      next = this.o.store.nextDue();
    } catch {
      next = this.o.now() + 1_000;
    }
    if (next === null) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(250, next - this.o.now()));
    this.timer = setTimeout(() => void this.pump(), wait);
    this.timer.unref();
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const config = this.o.config();
    const request = await this.requestFor(delivery, config);
    const at0 = this.o.now();
    if ('gone' in request) {
      this.record(() => this.o.store.failed(delivery.id, { at: at0, status: null, error: request.gone }));
      if (delivery.subscriptionId !== null) this.dropSubscription(delivery.subscriptionId, request.gone);
      return;
    }
    const result = await this.o.send(request);
    const at = this.o.now();
    const record: AttemptRecord = { at, status: result.status, error: result.ok ? null : result.error };
    const where = { kind: delivery.kind, url: redactUrl(delivery.url), attempts: delivery.attempts + 1 };
    if (result.ok) {
      this.record(() => {
        this.o.store.delivered(delivery.id, record);
        if (delivery.subscriptionId !== null) this.o.store.noteDelivery(delivery.subscriptionId, at, null);
      });
      this.o.logger.debug(where, 'push delivered');
      return;
    }
    const first = delivery.firstAttemptAt ?? at;
    if (at - first >= config.retryFor) {
      this.record(() => this.o.store.failed(delivery.id, record));
      this.o.logger.warn({ ...where, error: record.error, since: new Date(first).toISOString() }, 'push given up after retrying');
      if (delivery.subscriptionId !== null) this.dropSubscription(delivery.subscriptionId, `deliveries failed for ${Math.round((at - first) / 3_600_000)} h: ${record.error}`);
      return;
    }
    const next = Math.min(at + retryDelay(delivery.attempts + 1), first + config.retryFor);
    this.record(() => {
      this.o.store.retry(delivery.id, record, next);
      if (delivery.subscriptionId !== null) this.o.store.noteDelivery(delivery.subscriptionId, at, record.error);
    });
    this.o.logger.info({ ...where, error: record.error, nextAttemptAt: new Date(next).toISOString() }, 'push failed; retrying');
  }

  private async requestFor(delivery: Delivery, config: WebSubConfig): Promise<OutboundRequest | { gone: string }> {
    const base = { method: 'POST' as const, url: delivery.url, timeoutMs: config.timeout, maxResponseBytes: MAX_RESPONSE_BYTES };
    if (delivery.kind === 'alert') {
      // Alert URLs come from the operator's config, not from strangers: a LAN ntfy or chat bridge is fine.
      return { ...base, allowPrivate: true, headers: { 'Content-Type': delivery.contentType ?? 'application/json', ...delivery.headers }, body: delivery.body ?? Buffer.alloc(0) };
    }
    const sub = delivery.subscriptionId === null ? undefined : this.o.store.subscription(delivery.subscriptionId);
    if (!sub) return { gone: 'the subscription no longer exists' };
    if (sub.expiresAt <= this.o.now()) return { gone: 'the lease expired' };
    const doc = await this.o.renderTopic(sub.topic);
    if (!doc.ok) return { gone: `the topic is no longer served: ${doc.error}` };
    const headers: Record<string, string> = { 'Content-Type': doc.contentType, Link: `<${this.o.hubUrl}>; rel="hub", <${sub.topic}>; rel="self"` };
    if (sub.secret) headers['X-Hub-Signature'] = signature(sub.secret, doc.body);
    return { ...base, allowPrivate: config.allowPrivateCallbacks, headers, body: doc.body };
  }

  private dropSubscription(id: number, reason: string): void {
    const sub = this.o.store.subscription(id);
    this.record(() => this.o.store.drop(id));
    if (sub) this.o.logger.warn({ topic: sub.topic, callback: redactUrl(sub.callback), reason }, 'WebSub subscription dropped');
  }

  /** Runs a write; when the ingest thread holds the lock the row stays as it was and is looked at again shortly. */
  private record(write: () => void): void {
    try {
      write();
    } catch (err) {
      if (!isBusyError(err)) throw err;
      this.o.logger.debug('push state write met a busy database; retried on the next look at the queue');
    }
  }
}
