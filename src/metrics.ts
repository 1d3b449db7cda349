import { statSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Attempt } from './ingest/poll-feed.js';
import type { CycleReport, PollObserver } from './ingest/poller.js';
import type { Store } from './store/store.js';

/** Prometheus metrics of one newsmerge instance, in a registry of its own (never prom-client's global one). */
export interface Metrics {
  registry: Registry;
  poll: PollObserver;
  /** Records one served HTTP request; `route` is the matched route pattern, so labels stay few. */
  request(route: string, status: number, seconds: number): void;
  /** Records a topic feed rendered (a cache miss) or compressed for one content coding. */
  feedWork(kind: 'render' | 'compress', format: string): void;
}

/** Creates the registry: polls, fetch results, durations, stored items and stories, merges, requests, database size. */
export function createMetrics(store: Store, databaseFile: string): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'newsmerge_' });
  const cycles = new Counter({ name: 'newsmerge_poll_cycles_total', help: 'Poll cycles completed', registers: [registry] });
  const fetches = new Counter({ name: 'newsmerge_fetches_total', help: 'Feed fetch attempts by result and HTTP status', labelNames: ['result', 'status'], registers: [registry] });
  const fetchSeconds = new Histogram({ name: 'newsmerge_fetch_duration_seconds', help: 'HTTP exchange of one feed fetch', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20], registers: [registry] });
  const parseSeconds = new Histogram({ name: 'newsmerge_parse_duration_seconds', help: 'Decoding and parsing of one feed body', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });
  const ingested = new Counter({ name: 'newsmerge_items_ingested_total', help: 'Items stored by polls, new or updated in place', labelNames: ['kind'], registers: [registry] });
  const merges = new Counter({ name: 'newsmerge_story_merges_total', help: 'Stories merged into an older story', registers: [registry] });
  const created = new Counter({ name: 'newsmerge_stories_created_total', help: 'Stories started by polls', registers: [registry] });
  const requests = new Counter({ name: 'newsmerge_http_requests_total', help: 'Served HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] });
  const requestSeconds = new Histogram({ name: 'newsmerge_http_request_duration_seconds', help: 'Time to answer an HTTP request', labelNames: ['route'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });
  const requestChildren = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
  const feedWork = new Counter({ name: 'newsmerge_feed_work_total', help: 'Topic feed renders and compressions (cache misses)', labelNames: ['kind', 'format'], registers: [registry] });
  const counts = store.db.prepare(`SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM stories WHERE merged_into IS NULL) AS stories`);
  new Gauge({
    name: 'newsmerge_items',
    help: 'Items stored',
    registers: [registry],
    collect() {
      this.set((counts.get() as { items: number }).items);
    },
  });
  new Gauge({
    name: 'newsmerge_stories',
    help: 'Stories stored (merged-away ids not counted)',
    registers: [registry],
    collect() {
      this.set((counts.get() as { stories: number }).stories);
    },
  });
  new Gauge({
    name: 'newsmerge_database_size_bytes',
    help: 'Size of the SQLite database and its write-ahead log',
    registers: [registry],
    collect() {
      const size = (file: string) => {
        try {
          return statSync(file).size;
        } catch {
          return 0;
        }
      };
      this.set(size(databaseFile) + size(`${databaseFile}-wal`));
    },
  });
  return {
    registry,
    poll: {
      attempt(attempt: Attempt) {
        fetches.inc({ result: attempt.kind, status: attempt.status === null ? 'none' : String(attempt.status) });
        fetchSeconds.observe(attempt.fetchMs / 1000);
        if (attempt.parseMs > 0) parseSeconds.observe(attempt.parseMs / 1000);
      },
      cycle(report: CycleReport) {
        cycles.inc();
        ingested.inc({ kind: 'new' }, report.newItems);
        ingested.inc({ kind: 'updated' }, report.updatedItems);
        merges.inc(report.storiesMerged);
        created.inc(report.storiesCreated);
      },
    },
    request(route, status, seconds) {
      // Label children are cached: label hashing on every request would cost more than a cached feed hit.
      const key = `${status}${route}`;
      let child = requestChildren.get(key);
      if (!child) {
        child = { count: requests.labels(route, String(status)), time: requestSeconds.labels(route) };
        requestChildren.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
    feedWork(kind, format) {
      feedWork.inc({ kind, format });
    },
  };
}
