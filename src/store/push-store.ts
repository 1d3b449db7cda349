import type Database from 'better-sqlite3';
import { openDatabase } from './open-database.js';
import { OutletPushStore } from './outlet-push-store.js';

/** A verified WebSub subscription to one of this server's topic feeds. */
export interface Subscription {
  id: number;
  topic: string;
  callback: string;
  callbackHost: string;
  secret: string | null;
  leaseSeconds: number;
  createdAt: number;
  verifiedAt: number;
  expiresAt: number;
  lastDeliveryAt: number | null;
  lastError: string | null;
}

/** One queued push: a WebSub content distribution (rendered when sent) or an alert (body stored). */
export interface Delivery {
  id: number;
  kind: 'websub' | 'alert';
  subscriptionId: number | null;
  alertKey: string | null;
  storyId: number | null;
  url: string;
  contentType: string | null;
  headers: Record<string, string>;
  body: Buffer | null;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: number;
  firstAttemptAt: number | null;
  nextAttemptAt: number;
  finishedAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
}

/** How an attempt ended, as recorded. */
export interface AttemptRecord {
  at: number;
  status: number | null;
  error: string | null;
}

/** True for SQLite's "another connection holds the write lock" errors: the write is tried again later. */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

/**
 * Push state on the main thread's own write connection: its writes are single rows in tiny transactions, with
 * a short busy timeout so that a write colliding with an ingest transaction fails fast (and is retried by the
 * caller) instead of stalling the event loop that serves HTTP.
 */
export class PushStore {
  readonly db: Database.Database;
  /** Subscriptions at outlets' hubs, on this connection. */
  readonly outlets: OutletPushStore;
  private readonly s;

  constructor(dataDir: string, options: { busyTimeoutMs?: number } = {}) {
    this.db = openDatabase(dataDir, { busyTimeoutMs: options.busyTimeoutMs ?? 50 });
    const db = this.db;
    this.outlets = new OutletPushStore(db);
    this.s = {
      upsertSub: db.prepare(`INSERT INTO websub_subscriptions (topic, callback, callback_host, secret, lease_seconds, created_at, verified_at, expires_at)
        VALUES (@topic, @callback, @callbackHost, @secret, @leaseSeconds, @at, @at, @expiresAt)
        ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret, lease_seconds = excluded.lease_seconds, verified_at = excluded.verified_at,
          expires_at = excluded.expires_at, callback_host = excluded.callback_host, last_error = NULL
        RETURNING id`).pluck(),
      deleteSub: db.prepare(`DELETE FROM websub_subscriptions WHERE topic = ? AND callback = ?`),
      deleteSubById: db.prepare(`DELETE FROM websub_subscriptions WHERE id = ?`),
      subById: db.prepare(`SELECT * FROM websub_subscriptions WHERE id = ?`),
      subByKey: db.prepare(`SELECT * FROM websub_subscriptions WHERE topic = ? AND callback = ?`),
      subsOfTopic: db.prepare(`SELECT * FROM websub_subscriptions WHERE topic = ? AND expires_at > ? ORDER BY id`),
      liveTopics: db.prepare(`SELECT DISTINCT topic FROM websub_subscriptions WHERE expires_at > ? ORDER BY topic`).pluck(),
      allSubs: db.prepare(`SELECT * FROM websub_subscriptions ORDER BY topic, id LIMIT ?`),
      hostCount: db.prepare(`SELECT count(*) FROM websub_subscriptions WHERE callback_host = ? AND expires_at > ?`).pluck(),
      totals: db.prepare(`SELECT count(*) AS subscriptions, count(DISTINCT topic) AS topics FROM websub_subscriptions WHERE expires_at > ?`),
      expired: db.prepare(`DELETE FROM websub_subscriptions WHERE expires_at <= ? RETURNING topic, callback`),
      subDelivered: db.prepare(`UPDATE websub_subscriptions SET last_delivery_at = ?, last_error = ? WHERE id = ?`),
      topicHash: db.prepare(`SELECT content_hash FROM websub_topics WHERE topic = ?`).pluck(),
      setTopicHash: db.prepare(`INSERT INTO websub_topics (topic, content_hash, changed_at) VALUES (?, ?, ?)
        ON CONFLICT (topic) DO UPDATE SET content_hash = excluded.content_hash, changed_at = excluded.changed_at`),
      orphanTopics: db.prepare(`DELETE FROM websub_topics WHERE topic NOT IN (SELECT topic FROM websub_subscriptions)`),
      alertSeen: db.prepare(`SELECT 1 FROM alerts_seen WHERE alert_key = ?`).pluck(),
      markAlertSeen: db.prepare(`INSERT OR IGNORE INTO alerts_seen (alert_key, first_seen_at) VALUES (?, ?)`),
      fire: db.prepare(`INSERT OR IGNORE INTO alert_stories (alert_key, story_id, fired_at, sent) VALUES (?, ?, ?, ?)`),
      firedStories: db.prepare(`SELECT story_id FROM alert_stories WHERE alert_key = ? AND story_id IN (SELECT value FROM json_each(?))`).pluck(),
      // By story, not by age: a quiet listing may show a story longer than any age limit, and a forgotten row would fire again.
      pruneFired: db.prepare(`DELETE FROM alert_stories WHERE story_id NOT IN (SELECT id FROM stories)`),
      forgetAlertsSeen: db.prepare(`DELETE FROM alerts_seen WHERE alert_key NOT IN (SELECT value FROM json_each(?))`),
      forgetAlertStories: db.prepare(`DELETE FROM alert_stories WHERE alert_key NOT IN (SELECT value FROM json_each(?))`),
      pendingOfSub: db.prepare(`SELECT id FROM push_deliveries WHERE subscription_id = ? AND state = 'pending' AND kind = 'websub'`).pluck(),
      insertDelivery: db.prepare(`INSERT INTO push_deliveries (kind, subscription_id, alert_key, story_id, url, content_type, headers, body, state, created_at, next_attempt_at)
        VALUES (@kind, @subscriptionId, @alertKey, @storyId, @url, @contentType, @headers, @body, 'pending', @at, @at)`),
      due: db.prepare(`SELECT * FROM push_deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`),
      nextDue: db.prepare(`SELECT min(next_attempt_at) FROM push_deliveries WHERE state = 'pending'`).pluck(),
      delivered: db.prepare(`UPDATE push_deliveries SET state = 'delivered', attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, @at),
        finished_at = @at, last_status = @status, last_error = NULL WHERE id = @id`),
      retry: db.prepare(`UPDATE push_deliveries SET attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, @at), next_attempt_at = @next,
        last_status = @status, last_error = @error WHERE id = @id`),
      failed: db.prepare(`UPDATE push_deliveries SET state = 'failed', attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, @at),
        finished_at = @at, last_status = @status, last_error = @error WHERE id = @id`),
      recent: db.prepare(`SELECT * FROM push_deliveries WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT ?`),
      pruneDeliveries: db.prepare(`DELETE FROM push_deliveries WHERE state <> 'pending' AND finished_at < ?`),
    };
  }

  /** Records a verified subscription (or renews its lease); returns its id. */
  subscribe(sub: { topic: string; callback: string; callbackHost: string; secret: string | null; leaseSeconds: number; at: number }): number {
    return this.s.upsertSub.get({ ...sub, expiresAt: sub.at + sub.leaseSeconds * 1000 }) as number;
  }

  /** Removes a subscription (and its pending delivery); true when there was one. */
  unsubscribe(topic: string, callback: string): boolean {
    return this.db.transaction(() => {
      const gone = this.s.deleteSub.run(topic, callback).changes > 0;
      if (gone) this.s.orphanTopics.run();
      return gone;
    }).immediate();
  }

  /** Removes a subscription by id (a callback given up on). */
  drop(id: number): void {
    this.db.transaction(() => {
      if (this.s.deleteSubById.run(id).changes > 0) this.s.orphanTopics.run();
    }).immediate();
  }

  /** A subscription by id. */
  subscription(id: number): Subscription | undefined {
    const row = this.s.subById.get(id);
    return row ? toSubscription(row) : undefined;
  }

  /** The subscription of a callback to a topic. */
  subscriptionOf(topic: string, callback: string): Subscription | undefined {
    const row = this.s.subByKey.get(topic, callback);
    return row ? toSubscription(row) : undefined;
  }

  /** Live (unexpired) subscriptions of a topic URL. */
  subscribers(topic: string, now: number): Subscription[] {
    return this.s.subsOfTopic.all(topic, now).map(toSubscription);
  }

  /** Topic URLs with a live subscription. */
  liveTopics(now: number): string[] {
    return this.s.liveTopics.all(now) as string[];
  }

  /** Every subscription, for /api/websub. */
  subscriptions(limit = 1_000): Subscription[] {
    return this.s.allSubs.all(limit).map(toSubscription);
  }

  /** Live subscriptions whose callback is on this host. */
  subscriptionsOfHost(host: string, now: number): number {
    return this.s.hostCount.get(host, now) as number;
  }

  /** Live subscriptions, and the distinct topic URLs they follow. */
  subscriptionTotals(now: number): { subscriptions: number; topics: number } {
    return this.s.totals.get(now) as { subscriptions: number; topics: number };
  }

  /** Deletes subscriptions whose lease ended; returns them. */
  dropExpired(now: number): Array<{ topic: string; callback: string }> {
    const gone = this.s.expired.all(now) as Array<{ topic: string; callback: string }>;
    if (gone.length) this.s.orphanTopics.run();
    return gone;
  }

  /** Notes how the last delivery to a subscription went. */
  noteDelivery(id: number, at: number, error: string | null): void {
    this.s.subDelivered.run(at, error, id);
  }

  /** The content hash last seen for a topic URL (null: none yet). */
  topicHash(topic: string): string | null {
    return (this.s.topicHash.get(topic) as string | undefined) ?? null;
  }

  /** Records a topic URL's current content hash. */
  setTopicHash(topic: string, hash: string, at: number): void {
    this.s.setTopicHash.run(topic, hash, at);
  }

  /** Records a topic change and queues one delivery per live subscriber (a pending one already covers it: it renders at send time). */
  topicChanged(topic: string, hash: string, at: number): number {
    return this.db.transaction(() => {
      this.s.setTopicHash.run(topic, hash, at);
      let queued = 0;
      for (const sub of this.subscribers(topic, at)) {
        if (this.s.pendingOfSub.get(sub.id) !== undefined) continue;
        this.s.insertDelivery.run({ kind: 'websub', subscriptionId: sub.id, alertKey: null, storyId: null, url: sub.callback, contentType: null, headers: null, body: null, at });
        queued++;
      }
      return queued;
    }).immediate();
  }

  /** Forgets what alerts no longer configured had seen and fired (re-adding one baselines it afresh). */
  forgetAlertsExcept(keys: readonly string[]): void {
    const json = JSON.stringify(keys);
    this.db.transaction(() => {
      this.s.forgetAlertsSeen.run(json);
      this.s.forgetAlertStories.run(json);
    }).immediate();
  }

  /** True once an alert (by key) has been evaluated at least once. */
  alertSeen(key: string): boolean {
    return this.s.alertSeen.get(key) !== undefined;
  }

  /** Of these story ids, the ones this alert has fired for (or baselined). */
  firedStories(key: string, storyIds: readonly number[]): Set<number> {
    return new Set(this.s.firedStories.all(key, JSON.stringify(storyIds)) as number[]);
  }

  /**
   * Marks stories as fired for an alert and queues their deliveries, in one transaction: an alert is sent once
   * per story, across restarts. With `baseline`, the alert is new: its current matches are marked, not sent.
   */
  fireAlert(key: string, at: number, fired: ReadonlyArray<{ storyId: number; delivery: { url: string; contentType: string; headers: Record<string, string>; body: Buffer } | null }>): number {
    return this.db.transaction(() => {
      this.s.markAlertSeen.run(key, at);
      let queued = 0;
      for (const f of fired) {
        if (this.s.fire.run(key, f.storyId, at, f.delivery ? 1 : 0).changes === 0 || !f.delivery) continue;
        this.s.insertDelivery.run({ kind: 'alert', subscriptionId: null, alertKey: key, storyId: f.storyId, url: f.delivery.url, contentType: f.delivery.contentType, headers: JSON.stringify(f.delivery.headers), body: f.delivery.body, at });
        queued++;
      }
      return queued;
    }).immediate();
  }

  /** Pending deliveries due at `now`, oldest first. */
  due(now: number, limit: number): Delivery[] {
    return this.s.due.all(now, limit).map(toDelivery);
  }

  /** When the next pending delivery is due (null: none pending). */
  nextDue(): number | null {
    return (this.s.nextDue.get() as number | null) ?? null;
  }

  /** A delivery succeeded. */
  delivered(id: number, record: AttemptRecord): void {
    this.s.delivered.run({ id, at: record.at, status: record.status });
  }

  /**
   * A WebSub delivery succeeded with a document of hash `sentHash`: marked delivered and noted on its
   * subscription; when the topic changed meanwhile (topicChanged skipped the subscriber while this one was
   * pending), a new delivery is queued. True when one was.
   */
  deliveredTopic(id: number, record: AttemptRecord, subscriptionId: number, sentHash: string): boolean {
    return this.db.transaction(() => {
      this.s.delivered.run({ id, at: record.at, status: record.status });
      this.s.subDelivered.run(record.at, null, subscriptionId);
      const sub = this.subscription(subscriptionId);
      if (!sub || sub.expiresAt <= record.at) return false;
      const current = this.topicHash(sub.topic);
      if (current === null || current === sentHash || this.s.pendingOfSub.get(sub.id) !== undefined) return false;
      this.s.insertDelivery.run({ kind: 'websub', subscriptionId: sub.id, alertKey: null, storyId: null, url: sub.callback, contentType: null, headers: null, body: null, at: record.at });
      return true;
    }).immediate();
  }

  /** A delivery failed and is tried again at `next`. */
  retry(id: number, record: AttemptRecord, next: number): void {
    this.s.retry.run({ id, at: record.at, status: record.status, error: record.error, next });
  }

  /** A delivery is given up. */
  failed(id: number, record: AttemptRecord): void {
    this.s.failed.run({ id, at: record.at, status: record.status, error: record.error });
  }

  /** The latest deliveries of a kind, newest first. */
  recent(kind: 'websub' | 'alert', limit: number): Delivery[] {
    return this.s.recent.all(kind, limit).map(toDelivery);
  }

  /** Forgets finished deliveries older than this time, and fired alerts of stories no longer stored. */
  prune(deliveriesBefore: number): void {
    this.s.pruneDeliveries.run(deliveriesBefore);
    this.s.pruneFired.run();
  }

  /** Closes this connection (the server's read connection stays open). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toSubscription(row: unknown): Subscription {
  const r = row as Record<string, unknown>;
  return {
    id: r.id as number,
    topic: r.topic as string,
    callback: r.callback as string,
    callbackHost: r.callback_host as string,
    secret: (r.secret as string | null) ?? null,
    leaseSeconds: r.lease_seconds as number,
    createdAt: r.created_at as number,
    verifiedAt: r.verified_at as number,
    expiresAt: r.expires_at as number,
    lastDeliveryAt: (r.last_delivery_at as number | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
  };
}

function toDelivery(row: unknown): Delivery {
  const r = row as Record<string, unknown>;
  return {
    id: r.id as number,
    kind: r.kind as Delivery['kind'],
    subscriptionId: (r.subscription_id as number | null) ?? null,
    alertKey: (r.alert_key as string | null) ?? null,
    storyId: (r.story_id as number | null) ?? null,
    url: r.url as string,
    contentType: (r.content_type as string | null) ?? null,
    headers: r.headers ? (JSON.parse(r.headers as string) as Record<string, string>) : {},
    body: (r.body as Buffer | null) ?? null,
    state: r.state as Delivery['state'],
    attempts: r.attempts as number,
    createdAt: r.created_at as number,
    firstAttemptAt: (r.first_attempt_at as number | null) ?? null,
    nextAttemptAt: r.next_attempt_at as number,
    finishedAt: (r.finished_at as number | null) ?? null,
    lastStatus: (r.last_status as number | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
  };
}
