import type Database from 'better-sqlite3';

/** Where a subscription to an outlet's hub stands. */
export type OutletPushState = 'subscribing' | 'live' | 'failed' | 'denied' | 'expired' | 'unsubscribing';

/** newsmerge's subscription at one outlet's WebSub hub (one per feed). Times are milliseconds since the epoch. */
export interface OutletSubscription {
  feedId: number;
  hub: string;
  /** The feed's self URL: the topic subscribed to, as the feed names it. */
  topic: string;
  /** The random part of the callback URL: only the hub we gave it to knows it. */
  token: string;
  /** The HMAC key the hub signs pushes with; generated here, sent only to the hub. */
  secret: string;
  state: OutletPushState;
  /** A request sent to the hub and not yet verified by it (its GET to the callback). */
  pendingMode: 'subscribe' | 'unsubscribe' | null;
  requestedAt: number | null;
  leaseSeconds: number | null;
  /** Live since (kept across renewals). */
  since: number | null;
  expiresAt: number | null;
  lastPushAt: number | null;
  lastError: string | null;
  failures: number;
  nextAttemptAt: number | null;
  createdAt: number;
}

/** Each field's column: reads alias the columns to the fields, update() writes only these. */
const COLUMNS: Record<keyof OutletSubscription, string> = {
  feedId: 'feed_id',
  hub: 'hub',
  topic: 'topic',
  token: 'token',
  secret: 'secret',
  state: 'state',
  pendingMode: 'pending_mode',
  requestedAt: 'requested_at',
  leaseSeconds: 'lease_seconds',
  since: 'since',
  expiresAt: 'expires_at',
  lastPushAt: 'last_push_at',
  lastError: 'last_error',
  failures: 'failures',
  nextAttemptAt: 'next_attempt_at',
  createdAt: 'created_at',
};

/** The select list that reads a row as an OutletSubscription. */
const FIELDS = Object.entries(COLUMNS).map(([field, column]) => `${column} AS ${field}`).join(', ');

/** Ids of the feeds whose hub subscription is live: the ingest thread polls them at maxInterval (Store.livePushFeeds). */
export class LivePushFeeds {
  private readonly stmt: Database.Statement;

  constructor(db: Database.Database) {
    this.stmt = db.prepare(`SELECT feed_id FROM outlet_subscriptions WHERE state = 'live' AND expires_at > ?`).pluck();
  }

  /** Ids of the feeds whose subscription is live at `now`. */
  ids(now: number): Set<number> {
    return new Set(this.stmt.all(now) as number[]);
  }
}

/**
 * Subscriptions at outlets' hubs, on the main thread's push connection (src/store/push-store.ts): single-row
 * writes, so a collision with an ingest transaction fails fast and the caller tries again on its next look.
 */
export class OutletPushStore {
  private readonly s;
  /** UPDATE statements of update(), one per set of columns written. */
  private readonly updates = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.s = {
      all: db.prepare(`SELECT ${FIELDS} FROM outlet_subscriptions ORDER BY feed_id`),
      byFeed: db.prepare(`SELECT ${FIELDS} FROM outlet_subscriptions WHERE feed_id = ?`),
      insert: db.prepare(`INSERT INTO outlet_subscriptions (feed_id, hub, topic, token, secret, state, failures, created_at)
        VALUES (@feedId, @hub, @topic, @token, @secret, @state, 0, @createdAt)
        ON CONFLICT (feed_id) DO UPDATE SET hub = excluded.hub, topic = excluded.topic, token = excluded.token, secret = excluded.secret,
          state = excluded.state, pending_mode = NULL, requested_at = NULL, lease_seconds = NULL, since = NULL, expires_at = NULL,
          last_push_at = NULL, last_error = NULL, failures = 0, next_attempt_at = NULL, created_at = excluded.created_at`),
      delete: db.prepare(`DELETE FROM outlet_subscriptions WHERE feed_id = ?`),
    };
  }

  /** Every subscription, by feed id. */
  all(): OutletSubscription[] {
    return this.s.all.all() as OutletSubscription[];
  }

  /** The subscription of one feed, or null. */
  byFeed(feedId: number): OutletSubscription | null {
    return (this.s.byFeed.get(feedId) as OutletSubscription | undefined) ?? null;
  }

  /** Starts a subscription afresh (a new hub or topic replaces the old row, its token and secret). */
  create(sub: Pick<OutletSubscription, 'feedId' | 'hub' | 'topic' | 'token' | 'secret' | 'state' | 'createdAt'>): OutletSubscription {
    this.s.insert.run(sub);
    return this.byFeed(sub.feedId)!;
  }

  /** Writes some fields of one subscription; returns it as stored after the write (null: it is gone). */
  update(feedId: number, changes: Partial<Omit<OutletSubscription, 'feedId'>>): OutletSubscription | null {
    const keys = (Object.keys(changes) as Array<keyof typeof changes>).filter((k) => k in COLUMNS).sort();
    if (keys.length > 0) {
      const id = keys.join(',');
      let stmt = this.updates.get(id);
      if (!stmt) {
        // Column names come from COLUMNS, never from the caller's strings.
        const set = keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ');
        stmt = this.db.prepare(`UPDATE outlet_subscriptions SET ${set} WHERE feed_id = @feedId`);
        this.updates.set(id, stmt);
      }
      stmt.run({ ...Object.fromEntries(keys.map((k) => [k, changes[k]])), feedId });
    }
    return this.byFeed(feedId);
  }

  /** Forgets a feed's subscription. */
  delete(feedId: number): void {
    this.s.delete.run(feedId);
  }
}
