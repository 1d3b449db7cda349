import type { Logger } from 'pino';
import type { ClusterEngine } from '../cluster/cluster-engine.js';
import { ItemTopicRules, ItemTopicsJob } from '../cluster/item-topics.js';
import { mergeConvergedStories } from '../cluster/merge-stories.js';
import { pruneExpired } from '../cluster/retention.js';
import { storeEntries, type FeedEntries } from '../cluster/store-entries.js';
import type { AppConfig, FeedConfig } from '../config/config-schema.js';
import { outletName } from '../config/outlet-profiles.js';
import { redactUrl } from '../config/redact-url.js';
import type { FeedState } from '../store/feed-states.js';
import type { Store } from '../store/store.js';
import type { Fetcher } from './fetch-feed.js';
import { fetchAttempt, nextFeedState, pushedAttempt, type Attempt, type AttemptFacts } from './poll-feed.js';

/** What a poll cycle did, for logs, the API and `npm run poll`. */
export interface CycleReport {
  feeds: number;
  fetched: number;
  notModified: number;
  unchanged: number;
  failed: number;
  newItems: number;
  updatedItems: number;
  storiesCreated: number;
  storiesMerged: number;
  writeErrors: number;
  /** Items removed by retention after the cycle. */
  prunedItems: number;
  /** The feeds that failed, with why (URLs redacted). */
  failures: Array<{ url: string; error: string }>;
  startedAt: number;
  durationMs: number;
  /** Why the cycle ended before it was done (the ingest thread crashed or newsmerge is stopping); null when it ran. */
  interrupted: string | null;
}

/** Which feeds a cycle polls. */
export interface CycleOptions {
  /** "due": feeds whose next fetch time has come (and never-fetched ones); "all": every enabled feed now. */
  mode: 'due' | 'all';
  /** Poll only this feed URL (still with conditional GET), even if it was disabled. */
  url?: string;
  onProgress?: (done: number, total: number) => void;
}

/** How storing a document pushed by a feed's hub ended. */
export type PushedOutcome =
  | { status: 'stored'; newItems: number; updatedItems: number; storiesCreated: number }
  | { status: 'ignored'; reason: string };

/** New items written per transaction at most: bounds how long one write holds the event loop. */
const MAX_BATCH_ITEMS = 100;
/**
 * Parsed items waiting to be written, at most, before fetching pauses. Fetching outruns clustering many
 * times over: unchecked, a first poll of a thousand feeds held every parsed feed in memory at once.
 */
const MAX_PENDING_ITEMS = 1_000;

/** Receives what the poller did, for metrics; must not throw. */
export interface PollObserver {
  attempt(attempt: AttemptFacts): void;
  cycle(report: CycleReport): void;
}

/** Everything the poller uses, passed in. */
export interface PollerDeps {
  /** The store and the clustering engine over it (this poller is its one writer). */
  engine: ClusterEngine;
  fetcher: Fetcher;
  config: () => AppConfig;
  logger: Logger;
  now: () => number;
  random?: () => number;
  userAgent: string;
  /** How long finished fetches wait to be written together (their new items then cluster in time order). */
  batchDelayMs?: number;
  /** Parsed items waiting to be written, at most, before fetching pauses (default 1,000). */
  maxPendingItems?: number;
  observer?: PollObserver;
}

interface Finished {
  feed: FeedConfig;
  state: FeedState;
  attempt: Attempt;
}

/** A report of a cycle that has done nothing yet. */
export function emptyReport(startedAt: number): CycleReport {
  return { feeds: 0, fetched: 0, notModified: 0, unchanged: 0, failed: 0, newItems: 0, updatedItems: 0, storiesCreated: 0, storiesMerged: 0, writeErrors: 0, prunedItems: 0, failures: [], startedAt, durationMs: 0, interrupted: null };
}

/** SQLite error codes that are the database's state (disk, locks, corruption), not the data being written. */
const DATABASE_STATE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CORRUPT|READONLY|NOMEM|CANTOPEN|NOTADB|PROTOCOL|PERM|INTERRUPT)/;

/**
 * True when the database cannot take writes now (full disk, locked, corrupt): the whole batch waits for the
 * next cycle. Anything else, a constraint that one feed's items break included, is traced to its feed.
 */
function isDatabaseError(err: unknown): boolean {
  return err instanceof Error && err.name === 'SqliteError' && DATABASE_STATE.test(String((err as { code?: unknown }).code));
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}

/** Makes sure every configured feed has a state row; recounts story outlets when an outlet was renamed. */
export function registerFeeds(store: Store, config: AppConfig, now: number): void {
  const renamed = store.feeds.sync(config.feeds.map((f) => ({ url: f.url, outlet: outletName(f) })), now);
  if (renamed) store.write(() => store.stories.recountSources());
}

/**
 * Polls feeds in cycles: a bounded pool with a per-host limit fetches and parses without holding the
 * database; finished feeds are written in short transactions, a few at a time. A cycle never throws.
 */
export class Poller {
  private running: Promise<CycleReport> | null = null;
  private readonly abort = new AbortController();
  private cyclesDone = 0;
  private topicRules: { config: AppConfig; rules: ItemTopicRules } | null = null;
  private readonly topicsJob: ItemTopicsJob;

  constructor(private readonly deps: PollerDeps) {
    this.topicsJob = new ItemTopicsJob(deps.engine.store);
  }

  /** The item-topic rules of the current config, compiled once per config. */
  private rules(): ItemTopicRules {
    const config = this.deps.config();
    if (this.topicRules?.config !== config) this.topicRules = { config, rules: new ItemTopicRules(config) };
    return this.topicRules.rules;
  }

  /**
   * Brings stored items' topics in line with the current config's topic rules (nothing to do unless they
   * changed); resolves with how many items were rewritten. Never rejects: a failure is logged and retried next cycle.
   */
  async refreshTopics(): Promise<number> {
    try {
      const count = await this.topicsJob.run(this.rules());
      if (count > 0) this.deps.logger.info({ items: count }, 'item topics recomputed for the current topic rules');
      return count;
    } catch (err) {
      this.deps.logger.error({ err }, 'cannot recompute item topics (database write failed); the next cycle tries again');
      return 0;
    }
  }

  /** Number of cycles completed since start (readiness: the first one has finished). */
  get completedCycles(): number {
    return this.cyclesDone;
  }

  /** True while a cycle runs. */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Runs a cycle. While one runs, a scheduled "due" wake-up joins it (nothing is due twice), and an explicit
   * request (everything, or one feed) runs right after it.
   */
  poll(options: CycleOptions): Promise<CycleReport> {
    if (this.running) {
      if (options.mode === 'due' && !options.url) return this.running;
      return this.running.then(() => this.poll(options));
    }
    if (this.abort.signal.aborted) return Promise.resolve({ ...emptyReport(this.deps.now()), interrupted: 'newsmerge is stopping' });
    this.running = this.cycle(options).finally(() => {
      this.running = null;
      this.cyclesDone++;
    });
    return this.running;
  }

  /** Stops polling: in-flight fetches are aborted, finished ones are still written. Resolves when idle. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private select(options: CycleOptions): Array<{ feed: FeedConfig; state: FeedState }> {
    const { engine: { store }, config, now } = this.deps;
    const feeds = config().feeds;
    registerFeeds(store, config(), now());
    const states = new Map(store.feeds.all().map((s) => [s.url, s]));
    const at = now();
    const live = this.livePush();
    return feeds
      .map((feed) => ({ feed, state: states.get(feed.url)! }))
      .filter(({ feed, state }) => {
        if (options.url) return feed.url === options.url;
        if (!feed.enabled || state.disabledReason) return false;
        // A poll put off because pushes were coming is due at once when they no longer are (lease expired, hub gone).
        if (state.pushPolled && !live.has(state.id)) return true;
        return options.mode === 'all' || state.nextFetchAt === null || state.nextFetchAt <= at;
      });
  }

  private async cycle(options: CycleOptions): Promise<CycleReport> {
    const { logger, now } = this.deps;
    const report = emptyReport(now());
    let selected: Array<{ feed: FeedConfig; state: FeedState }>;
    try {
      selected = this.select(options);
    } catch (err) {
      logger.error({ err }, 'cannot read feed states from the database; cycle skipped');
      report.writeErrors++;
      return report;
    }
    report.feeds = selected.length;
    // Items stored from here on get the current rules' topics; those stored before must have them too.
    await this.refreshTopics();
    const writer = this.batchWriter(report);
    let done = 0;
    await this.runPool(selected, async ({ feed, state }) => {
      const attempt = await fetchAttempt(feed, state, this.deps.config(), {
        fetcher: this.deps.fetcher,
        now,
        userAgent: this.deps.userAgent,
        signal: this.abort.signal,
      });
      this.deps.observer?.attempt(attempt);
      // Cut short by stop(): not the feed's fault; its state stays as it was, so it is fetched on the next start.
      if (attempt.outcome.kind === 'failed' && attempt.outcome.reason === 'aborted') return;
      options.onProgress?.(++done, selected.length);
      // Holding the pool slot until the writer catches up is what pauses fetching.
      await writer.add({ feed, state, attempt });
    });
    await writer.drain();
    if (this.abort.signal.aborted) report.interrupted = 'newsmerge is stopping';
    else if (!options.url) await this.maintain(report);
    report.durationMs = now() - report.startedAt;
    this.deps.observer?.cycle(report);
    const { failures, ...counts } = report;
    logger.info({ ...counts, startedAt: new Date(report.startedAt).toISOString() }, 'poll cycle finished');
    return report;
  }

  /**
   * Stores a document the feed's WebSub hub pushed through the same parse → merge → store path as a poll
   * (the main thread has checked its signature). The feed's schedule and validators are left to polling.
   */
  async storePushed(feedId: number, body: Buffer, contentType: string | undefined): Promise<PushedOutcome> {
    const { engine: { store }, config, now, logger } = this.deps;
    if (this.abort.signal.aborted) return { status: 'ignored', reason: 'newsmerge is stopping' };
    const known = store.feeds.byId(feedId);
    const feed = known && config().feeds.find((f) => f.url === known.url);
    if (!known || !feed?.enabled) return { status: 'ignored', reason: 'the feed is not configured, or disabled' };
    const attempt = await pushedAttempt(feed, body, contentType, config(), now);
    if (attempt.kind === 'failed' || !attempt.parsed) {
      logger.warn({ feed: redactUrl(feed.url), error: attempt.error }, 'a document pushed by the feed\'s hub could not be read; ignored');
      return { status: 'ignored', reason: attempt.error ?? 'unreadable' };
    }
    const report = emptyReport(now());
    // Read again after the parse: a poll may have written the feed's state meanwhile.
    const state = store.feeds.byId(feedId) ?? known;
    this.write([{ feed, state, attempt }], report);
    if (report.writeErrors > 0 || report.failed > 0) return { status: 'ignored', reason: 'the database write failed; see the log' };
    logger.info({ feed: redactUrl(feed.url), items: attempt.parsed.entries.length, newItems: report.newItems, updatedItems: report.updatedItems }, 'stored a document pushed by the feed\'s hub');
    return { status: 'stored', newItems: report.newItems, updatedItems: report.updatedItems, storiesCreated: report.storiesCreated };
  }

  /** Feeds whose hub subscription is live now (an unreadable table counts as none: polling goes on as usual). */
  private livePush(): Set<number> {
    try {
      return this.deps.engine.store.livePushFeeds.ids(this.deps.now());
    } catch (err) {
      this.deps.logger.debug({ err }, 'cannot read outlet push subscriptions; polling as usual');
      return new Set();
    }
  }

  /** Housekeeping after a cycle: merging stories that have become one, then retention. A failure is logged, never thrown. */
  private async maintain(report: CycleReport): Promise<void> {
    const { engine, config, now, logger } = this.deps;
    const cfg = config();
    try {
      // Pass by pass, yielding between them, so that requests are served while many hints are checked.
      for (;;) {
        const pass = mergeConvergedStories(engine, cfg.dedup, now());
        report.storiesMerged += pass.merged;
        if (pass.done || this.abort.signal.aborted) break;
        await new Promise((r) => setImmediate(r));
      }
    } catch (err) {
      logger.error({ err }, 'story merge pass failed');
    }
    try {
      const removed = engine.store.feeds.removedFrom(cfg.feeds.map((f) => f.url));
      report.prunedItems = pruneExpired(engine, cfg.retentionDays, cfg.keepPerFeed, now(), removed).items;
    } catch (err) {
      logger.error({ err }, 'retention pass failed');
    }
  }

  /** Runs `task` for every feed, at most `concurrency` at once and `perHostConcurrency` per host. */
  private runPool<T extends { feed: FeedConfig }>(jobs: T[], task: (job: T) => Promise<void>): Promise<void> {
    const { concurrency, perHostConcurrency } = this.deps.config();
    const queue = [...jobs];
    const perHost = new Map<string, number>();
    let active = 0;
    return new Promise((resolve) => {
      const pump = () => {
        if (this.abort.signal.aborted) queue.length = 0;
        for (let i = 0; i < queue.length && active < concurrency; ) {
          const host = hostOf(queue[i]!.feed.url);
          if ((perHost.get(host) ?? 0) >= perHostConcurrency) {
            i++;
            continue;
          }
          const [job] = queue.splice(i, 1);
          active++;
          perHost.set(host, (perHost.get(host) ?? 0) + 1);
          task(job!)
            .catch((err) => this.deps.logger.error({ err, feed: redactUrl(job!.feed.url) }, 'poll task failed unexpectedly'))
            .finally(() => {
              active--;
              perHost.set(host, perHost.get(host)! - 1);
              pump();
            });
        }
        if (active === 0 && queue.length === 0) resolve();
      };
      pump();
    });
  }

  /**
   * Collects finished attempts and writes them in transactions of at most MAX_BATCH_ITEMS new items (whole
   * feeds), yielding to the event loop between transactions so that serving never waits long for a poll.
   */
  private batchWriter(report: CycleReport): { add(f: Finished): Promise<void>; drain(): Promise<void> } {
    const pending: Finished[] = [];
    const maxPending = Math.max(1, this.deps.maxPendingItems ?? MAX_PENDING_ITEMS);
    let waiting: Array<() => void> = [];
    const delay = this.deps.batchDelayMs ?? 500;
    let timer: NodeJS.Timeout | null = null;
    let immediate: NodeJS.Immediate | null = null;
    const itemsOf = (f: Finished) => f.attempt.parsed?.entries.length ?? 0;
    const pendingItems = () => pending.reduce((n, f) => n + itemsOf(f), 0);
    const writeChunk = () => {
      let items = 0;
      let count = 0;
      while (count < pending.length && (count === 0 || items + itemsOf(pending[count]!) <= MAX_BATCH_ITEMS)) items += itemsOf(pending[count++]!);
      if (count > 0) this.write(pending.splice(0, count), report);
      if (waiting.length > 0 && pendingItems() < maxPending) {
        for (const resume of waiting) resume();
        waiting = [];
      }
    };
    const step = () => {
      immediate = null;
      writeChunk();
      if (pending.length === 0) return;
      if (pendingItems() >= MAX_BATCH_ITEMS) immediate = setImmediate(step);
      else timer ??= setTimeout(soon, delay);
    };
    const soon = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      immediate ??= setImmediate(step);
    };
    return {
      add: (finished) => {
        pending.push(finished);
        if (pendingItems() >= MAX_BATCH_ITEMS) soon();
        else timer ??= setTimeout(soon, delay);
        return pendingItems() < maxPending ? Promise.resolve() : new Promise((resume) => waiting.push(resume));
      },
      drain: async () => {
        if (timer) clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        timer = null;
        immediate = null;
        while (pending.length > 0) {
          writeChunk();
          await new Promise((r) => setImmediate(r));
        }
      },
    };
  }

  private write(batch: Finished[], report: CycleReport): void {
    const { engine, logger, config, now } = this.deps;
    const { store } = engine;
    const random = this.deps.random ?? Math.random;
    const cfg = config();
    try {
      const live = this.livePush();
      const stored = engine.write(() => {
        const states = batch.map(({ feed, state, attempt }) => nextFeedState(state, attempt, feed, cfg, random(), { pushLive: live.has(state.id) }));
        const entries: FeedEntries[] = [];
        batch.forEach(({ attempt }, i) => {
          if (attempt.parsed) entries.push({ feedId: states[i]!.id, entries: attempt.parsed.entries, fetchedAt: attempt.startedAt, guidMode: states[i]!.guidMode });
        });
        const result = storeEntries(engine, entries, cfg.dedup, now());
        // Decided from the items as written, inside the same transaction: nothing is read back.
        this.rules().apply(store, result.writtenItems);
        for (const state of states) store.feeds.save(state);
        return result;
      });
      report.storiesCreated += stored.storiesCreated;
      report.storiesMerged += stored.storiesMerged;
      batch.forEach(({ feed, state, attempt }) => {
        const counts = stored.perFeed.get(state.id);
        report.newItems += counts?.new ?? 0;
        report.updatedItems += counts?.updated ?? 0;
        this.count(report, attempt, feed);
      });
    } catch (err) {
      // The transaction rolled back: nothing of this batch is half-written.
      if (isDatabaseError(err)) {
        // The database's fault (full disk, lock, corruption): every feed stays due and is retried as it was.
        report.writeErrors += batch.length;
        for (const { feed } of batch) logger.error({ err, feed: redactUrl(feed.url) }, 'cannot store poll result (database write failed)');
      } else if (batch.length > 1) {
        // Something in one feed's items broke the write path: find which, and store the others.
        for (const finished of batch) this.write([finished], report);
      } else {
        this.recordWriteFailure(batch[0]!, err as Error, report);
      }
    }
  }

  /**
   * A feed whose items the write path cannot handle (a bug, not the database) fails like a broken feed:
   * its error is shown, it backs off, and the next poll does not roll back the same work again at once.
   */
  private recordWriteFailure({ feed, state, attempt }: Finished, err: Error, report: CycleReport): void {
    const { engine: { store }, logger, config } = this.deps;
    const error = `store: ${err.message}`;
    logger.error({ err, feed: redactUrl(feed.url) }, 'cannot store poll result (write path failed on this feed)');
    const failed: Attempt = { ...attempt, kind: 'failed', error, parsed: null };
    try {
      store.write(() => store.feeds.save(nextFeedState(state, failed, feed, config(), (this.deps.random ?? Math.random)())));
    } catch (saveErr) {
      logger.error({ err: saveErr, feed: redactUrl(feed.url) }, 'cannot record the failure either (database write failed)');
    }
    this.count(report, failed, feed);
  }

  private count(report: CycleReport, attempt: Attempt, feed: FeedConfig): void {
    switch (attempt.kind) {
      case 'fetched':
        report.fetched++;
        const truncated = attempt.parsed?.truncated ?? 0;
        if (truncated > 0) {
          this.deps.logger.warn({ feed: redactUrl(feed.url), dropped: truncated }, `${truncated} items over maxItemsPerFeed dropped`);
        }
        break;
      case 'not-modified':
        report.notModified++;
        break;
      case 'unchanged':
        report.unchanged++;
        break;
      case 'failed':
        report.failed++;
        report.failures.push({ url: redactUrl(feed.url), error: attempt.error ?? 'unknown error' });
        this.deps.logger.warn({ feed: redactUrl(feed.url), status: attempt.status, error: attempt.error }, 'feed poll failed');
        break;
    }
  }
}
