import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebSubConfig } from '../config/push-config.js';
import { redactUrl } from '../config/redact-url.js';
import { isBusyError, type AttemptRecord, type Delivery, type PushStore } from '../store/push-store.js';
import type { OutboundRequest, OutboundResult } from './outbound.js';
import { contentHash } from './websub-hub.js';

/** First retry delay; each failure doubles it, up to MAX_RETRY_DELAY_MS. */
const FIRST_RETRY_DELAY_MS = 60_000;
const MAX_RETRY_DELAY_MS = 3_600_000;
/** Longest real wait between two looks at the queue (the clock may be a test's, which timers do not follow). */
const MAX_TIMER_MS = 30_000;
/** Response bytes read from a subscriber or webhook: only the status matters. */
const MAX_RESPONSE_BYTES = 16 * 1024;
/** Longest wait between two tries of a bookkeeping write that met a busy database. */
const MAX_WRITE_RETRY_MS = 5_000;

/** What a WebSub delivery sends: the topic's current document, rendered at send time. */
type RenderTopic = (topic: string) => Promise<{ ok: true; contentType: string; body: Buffer } | { ok: false; error: string }>;

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
  /**
   * Deliveries attempted whose outcome is not yet written (the database was busy): not sent again before
   * this time (Infinity: sent, or given up; held until the write lands). Cleared when the write lands.
   */
  private readonly notBefore = new Map<number, number>();
  /** Bookkeeping writes waiting out a busy database. */
  private readonly writes = new Set<Promise<void>>();
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
        const now = this.o.now();
        const due = this.o.store
          .due(now, free + this.inFlight.size + this.notBefore.size)
          .filter((d) => !this.inFlight.has(d.id) && !((this.notBefore.get(d.id) ?? -Infinity) > now))
          .slice(0, free);
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
      if (this.inFlight.size === 0 && this.writes.size === 0) {
        const next = this.o.store.nextDue();
        if (next === null || next > this.o.now()) return;
        await this.pump();
      } else {
        await Promise.all([...this.inFlight.values(), ...this.writes]);
      }
    }
  }

  /** Stops starting deliveries; those under way end on their own timeouts. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled(this.inFlight.values());
    // Bookkeeping writes still waiting stop at their next try: the rows stay pending and resume on the next start.
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
      this.record(delivery.id, Infinity, () => this.o.store.failed(delivery.id, { at: at0, status: null, error: request.gone }));
      if (delivery.subscriptionId !== null) this.dropSubscription(delivery.subscriptionId, request.gone);
      return;
    }
    const result = await this.o.send(request.request);
    const at = this.o.now();
    const record: AttemptRecord = { at, status: result.status, error: result.ok ? null : result.error };
    const where = { kind: delivery.kind, url: redactUrl(delivery.url), attempts: delivery.attempts + 1 };
    if (result.ok) {
      const subscriptionId = delivery.subscriptionId;
      // Held until written: the row is pending until then, and must not go out twice.
      this.record(delivery.id, Infinity, () => {
        if (subscriptionId === null || request.sentHash === null) {
          this.o.store.delivered(delivery.id, record);
          if (subscriptionId !== null) this.o.store.noteDelivery(subscriptionId, at, null);
        } else if (this.o.store.deliveredTopic(delivery.id, record, subscriptionId, request.sentHash)) {
          // The topic changed after the document sent was rendered: the new content goes out too.
          this.kick();
        }
      });
      this.o.logger.debug(where, 'push delivered');
      return;
    }
    const first = delivery.firstAttemptAt ?? at;
    if (at - first >= config.retryFor) {
      this.record(delivery.id, Infinity, () => this.o.store.failed(delivery.id, record));
      this.o.logger.warn({ ...where, error: record.error, since: new Date(first).toISOString() }, 'push given up after retrying');
      if (delivery.subscriptionId !== null) this.dropSubscription(delivery.subscriptionId, `deliveries failed for ${Math.round((at - first) / 3_600_000)} h: ${record.error}`);
      return;
    }
    const next = Math.min(at + retryDelay(delivery.attempts + 1), first + config.retryFor);
    this.record(delivery.id, next, () => {
      this.o.store.retry(delivery.id, record, next);
      if (delivery.subscriptionId !== null) this.o.store.noteDelivery(delivery.subscriptionId, at, record.error);
    });
    this.o.logger.info({ ...where, error: record.error, nextAttemptAt: new Date(next).toISOString() }, 'push failed; retrying');
  }

  /** The request of a delivery, with the hash of the topic document it carries (null: an alert). */
  private async requestFor(delivery: Delivery, config: WebSubConfig): Promise<{ request: OutboundRequest; sentHash: string | null } | { gone: string }> {
    const base = { method: 'POST' as const, url: delivery.url, timeoutMs: config.timeout, maxResponseBytes: MAX_RESPONSE_BYTES };
    if (delivery.kind === 'alert') {
      // Alert URLs come from the operator's config, not from strangers: a LAN ntfy or chat bridge is fine.
      return { request: { ...base, allowPrivate: true, headers: { 'Content-Type': delivery.contentType ?? 'application/json', ...delivery.headers }, body: delivery.body ?? Buffer.alloc(0) }, sentHash: null };
    }
    const sub = delivery.subscriptionId === null ? undefined : this.o.store.subscription(delivery.subscriptionId);
    if (!sub) return { gone: 'the subscription no longer exists' };
    if (sub.expiresAt <= this.o.now()) return { gone: 'the lease expired' };
    const doc = await this.o.renderTopic(sub.topic);
    if (!doc.ok) return { gone: `the topic is no longer served: ${doc.error}` };
    const headers: Record<string, string> = { 'Content-Type': doc.contentType, Link: `<${this.o.hubUrl}>; rel="hub", <${sub.topic}>; rel="self"` };
    if (sub.secret) headers['X-Hub-Signature'] = signature(sub.secret, doc.body);
    return { request: { ...base, allowPrivate: config.allowPrivateCallbacks, headers, body: doc.body }, sentHash: contentHash(doc.body) };
  }

  private dropSubscription(id: number, reason: string): void {
    const sub = this.o.store.subscription(id);
    this.record(null, 0, () => this.o.store.drop(id));
    if (sub) this.o.logger.warn({ topic: sub.topic, callback: redactUrl(sub.callback), reason }, 'WebSub subscription dropped');
  }

  /**
   * Runs the write recording an attempt of delivery `id`. When the ingest thread holds the lock, the delivery
   * is not sent again before `notBefore` (Infinity: until the write lands) and the write is tried again
   * shortly, with growing waits, until it lands (or the queue closes: the row then stays pending for the next run).
   */
  private record(id: number | null, notBefore: number, write: () => void): void {
    try {
      write();
      return;
    } catch (err) {
      if (!isBusyError(err)) throw err;
    }
    this.o.logger.debug({ delivery: id }, 'push state write met a busy database; tried again shortly');
    if (id !== null) this.notBefore.set(id, notBefore);
    const retry = (async () => {
      for (let attempt = 1; !this.closed; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_WRITE_RETRY_MS, 25 * 2 ** attempt)).unref());
        if (this.closed) return;
        try {
          write();
          break;
        } catch (err) {
          if (!isBusyError(err)) {
            this.o.logger.error({ err, delivery: id }, 'cannot record a push attempt');
            break;
          }
        }
      }
      if (id !== null) this.notBefore.delete(id);
    })().finally(() => this.writes.delete(retry));
    this.writes.add(retry);
  }
}
