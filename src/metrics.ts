import { statSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AttemptFacts } from './ingest/poll-feed.js';
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

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

interface RouteStats {
  route: string;
  statuses: Map<number, number>;
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Requests by route and status, and their durations, kept in plain arrays and exposed as prom-client custom
 * metrics: prom-client hashes label sets on every observation, which costs more than a cached feed hit.
 */
class RequestStats {
  private readonly routes = new Map<string, RouteStats>();

  readonly counter = {
    name: 'newsmerge_http_requests_total',
    help: 'Served HTTP requests by route and status',
    type: 'counter',
    aggregator: 'sum',
    get: () => ({
      name: this.counter.name,
      help: this.counter.help,
      type: this.counter.type,
      aggregator: 'sum',
      values: [...this.routes.values()].flatMap((r) => [...r.statuses].map(([status, value]) => ({ labels: { route: r.route, status: String(status) }, value }))),
    }),
  };

  readonly histogram = {
    name: 'newsmerge_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    type: 'histogram',
    aggregator: 'sum',
    get: () => ({
      name: this.histogram.name,
      help: this.histogram.help,
      type: this.histogram.type,
      aggregator: 'sum',
      values: [...this.routes.values()].flatMap((r) => {
        let cumulative = 0;
        const buckets = DURATION_BUCKETS.map((le, i) => {
          cumulative += r.buckets[i]!;
          return { labels: { route: r.route, le }, value: cumulative, metricName: `${this.histogram.name}_bucket` };
        });
        return [
          ...buckets,
          { labels: { route: r.route, le: '+Inf' }, value: r.count, metricName: `${this.histogram.name}_bucket` },
          { labels: { route: r.route }, value: r.sum, metricName: `${this.histogram.name}_sum` },
          { labels: { route: r.route }, value: r.count, metricName: `${this.histogram.name}_count` },
        ];
      }),
    }),
  };

  record(route: string, status: number, seconds: number): void {
    let stats = this.routes.get(route);
    if (!stats) {
      stats = { route, statuses: new Map(), buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.routes.set(route, stats);
    }
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    const bucket = DURATION_BUCKETS.findIndex((le) => seconds <= le);
    if (bucket >= 0) stats.buckets[bucket]!++;
    stats.sum += seconds;
    stats.count++;
  }
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
  const requests = new RequestStats();
  registry.registerMetric(requests.counter as never);
  registry.registerMetric(requests.histogram as never);
  const feedWork = new Counter({ name: 'newsmerge_feed_work_total', help: 'Topic feed renders and compressions (cache misses)', labelNames: ['kind', 'format'], registers: [registry] });
  new Gauge({
    name: 'newsmerge_items',
    help: 'Items stored',
    registers: [registry],
    collect() {
      this.set(store.counts().items);
    },
  });
  new Gauge({
    name: 'newsmerge_stories',
    help: 'Stories stored (merged-away ids not counted)',
    registers: [registry],
    collect() {
      this.set(store.counts().stories);
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
      attempt(attempt: AttemptFacts) {
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
    request: (route, status, seconds) => requests.record(route, status, seconds),
    feedWork(kind, format) {
      feedWork.inc({ kind, format });
    },
  };
}
