import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../src/config/load-config.js';
import { createFetcher } from '../src/ingest/fetch-feed.js';
import { Poller } from '../src/ingest/poller.js';
import { ClusterEngine } from '../src/cluster/cluster-engine.js';
import { openStore } from '../src/store/store.js';
import { itemSeries, pseudoWord, rssFeed, seriesTitle } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp } from './helpers/test-app.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2022-02-17T12:00:00Z');

interface ApiFeed {
  url: string;
  lastFetchedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  nextFetchAt: string | null;
  enabled: boolean;
  disabledReason: string | null;
  errorCount: number;
  itemCount: number;
  permanentRedirect: { url: string; since: string } | null;
}

describe('the poller', () => {
  let outlet: FixtureServer;
  let nm: TestApp | null = null;

  beforeEach(async () => {
    outlet = await new FixtureServer().start();
  });

  afterEach(async () => {
    await nm?.close();
    nm = null;
    await outlet.close();
  });

  async function start(paths: string[], config: Record<string, unknown> = {}, dataDir?: string): Promise<TestApp> {
    nm = await startTestApp({ feeds: paths.map((p) => ({ url: outlet.url(p), title: `Outlet ${p}`, tags: ['world'] })), config, now: T0, dataDir });
    return nm;
  }

  const state = (app: TestApp, path: string) => app.app.store.feeds.byUrl(outlet.url(path))!;
  const apiFeed = async (app: TestApp, path: string) => (await app.json<{ feeds: ApiFeed[] }>('/api/feeds')).feeds.find((f) => f.url === outlet.url(path))!;

  it('sends stored validators and skips parsing on 304', async () => {
    const body = rssFeed(itemSeries('a', 3, T0, HOUR));
    outlet.routes.set('/feed', (req, res) => {
      if (req.headers['if-none-match'] === '"e1"') return void res.writeHead(304, { etag: '"e1"' }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"e1"', 'last-modified': 'Thu, 17 Feb 2022 11:00:00 GMT' }).end(body);
    });
    const app = await start(['/feed']);
    expect(await app.pollAll()).toMatchObject({ fetched: 1, newItems: 3 });
    app.clock.now += HOUR;
    expect(await app.pollAll()).toMatchObject({ fetched: 0, notModified: 1, newItems: 0 });
    const second = outlet.requestsFor('/feed')[1]!;
    expect(second.headers['if-none-match']).toBe('"e1"');
    expect(second.headers['if-modified-since']).toBe('Thu, 17 Feb 2022 11:00:00 GMT');
    expect(await apiFeed(app, '/feed')).toMatchObject({ lastStatus: 304, lastError: null, itemCount: 3 });
  });

  it('does not parse a body whose hash is unchanged', async () => {
    outlet.routes.set('/feed', { body: rssFeed(itemSeries('b', 2, T0, HOUR)) });
    const app = await start(['/feed']);
    await app.pollAll();
    app.clock.now += HOUR;
    expect(await app.pollAll()).toMatchObject({ fetched: 0, unchanged: 1 });
  });

  it('ignores validators when the server sends Expires: 0, and drops them every 12 hours', async () => {
    outlet.routes.set('/expires', { headers: { etag: '"x"', expires: '0' }, body: rssFeed(itemSeries('c', 2, T0, HOUR)) });
    outlet.routes.set('/stuck', { headers: { etag: '"s"' }, body: rssFeed(itemSeries('d', 2, T0, HOUR)) });
    const app = await start(['/expires', '/stuck']);
    await app.pollAll();
    app.clock.now += HOUR;
    await app.pollAll();
    expect(outlet.requestsFor('/expires')[1]!.headers['if-none-match']).toBeUndefined();
    expect(outlet.requestsFor('/stuck')[1]!.headers['if-none-match']).toBe('"s"');
    app.clock.now += 12 * HOUR;
    await app.pollAll();
    expect(outlet.requestsFor('/stuck')[2]!.headers['if-none-match']).toBeUndefined();
  });

  it('honours Retry-After on 429 and 503, capped at 8 hours, 1-2 hours when absent', async () => {
    outlet.routes.set('/slow-down', { status: 429, headers: { 'retry-after': '7200' } });
    outlet.routes.set('/forever', { status: 503, headers: { 'retry-after': String(48 * 3600) } });
    outlet.routes.set('/no-hint', { status: 429 });
    const app = await start(['/slow-down', '/forever', '/no-hint']);
    await app.pollAll();
    expect(state(app, '/slow-down').nextFetchAt! - T0).toBe(2 * HOUR);
    expect(state(app, '/forever').nextFetchAt! - T0).toBe(8 * HOUR);
    const wait = state(app, '/no-hint').nextFetchAt! - T0;
    expect(wait).toBeGreaterThanOrEqual(HOUR);
    expect(wait).toBeLessThanOrEqual(2 * HOUR);
    expect(await apiFeed(app, '/slow-down')).toMatchObject({ lastStatus: 429, lastError: 'HTTP 429 Too Many Requests', errorCount: 1 });
  });

  it('backs off one hour per consecutive error, capped at 4 hours, and recovers', async () => {
    outlet.routes.set('/broken', { status: 500 });
    const app = await start(['/broken']);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      await app.app.poller.poll({ mode: 'due' });
      const s = state(app, '/broken');
      waits.push((s.nextFetchAt! - app.clock.now) / HOUR);
      app.clock.now = s.nextFetchAt!;
    }
    expect(waits).toEqual([1, 2, 3, 4, 4]);
    outlet.routes.set('/broken', { body: rssFeed(itemSeries('e', 2, T0, HOUR)) });
    await app.app.poller.poll({ mode: 'due' });
    expect(await apiFeed(app, '/broken')).toMatchObject({ lastError: null, errorCount: 0, itemCount: 2 });
  });

  it('disables a feed on 410 Gone and after 30 days of failures, with a visible reason', async () => {
    outlet.routes.set('/gone', { status: 410 });
    outlet.routes.set('/dead', { status: 500 });
    const app = await start(['/gone', '/dead']);
    await app.pollAll();
    const gone = await apiFeed(app, '/gone');
    expect(gone.enabled).toBe(false);
    expect(gone.disabledReason).toContain('410 Gone');
    app.clock.now += 31 * 24 * HOUR;
    const report = await app.app.poller.poll({ mode: 'due' });
    expect(report.feeds).toBe(1);
    expect((await apiFeed(app, '/dead')).disabledReason).toContain('failing for 30 days');
    app.clock.now += 24 * HOUR;
    expect((await app.pollAll()).feeds).toBe(0);
  });

  it('records a persistent permanent redirect for the operator', async () => {
    outlet.routes.set('/old', { status: 301, headers: { location: '/new' } });
    outlet.routes.set('/new', { body: rssFeed(itemSeries('f', 2, T0, HOUR)) });
    const app = await start(['/old']);
    await app.pollAll();
    expect((await apiFeed(app, '/old')).permanentRedirect).toEqual({ url: outlet.url('/new'), since: new Date(T0).toISOString() });
  });

  it('adapts the interval to the publishing rate, within bounds and publisher hints', async () => {
    outlet.routes.set('/busy', { body: rssFeed(itemSeries('g', 20, T0, 5 * MIN)) });
    outlet.routes.set('/steady', { body: rssFeed(itemSeries('h', 20, T0, 2 * HOUR)) });
    outlet.routes.set('/quiet', { body: rssFeed(itemSeries('i', 20, T0, 24 * HOUR)) });
    outlet.routes.set('/ttl', { body: rssFeed(itemSeries('j', 20, T0, 5 * MIN), { ttl: 180 }) });
    outlet.routes.set('/cached', { headers: { 'cache-control': 'public, max-age=7200' }, body: rssFeed(itemSeries('k', 20, T0, 5 * MIN)) });
    const app = await start(['/busy', '/steady', '/quiet', '/ttl', '/cached']);
    await app.pollAll();
    const wait = (p: string) => (state(app, p).nextFetchAt! - T0) / MIN;
    const within = (p: string, base: number) => {
      expect(wait(p)).toBeGreaterThanOrEqual(base);
      expect(wait(p)).toBeLessThanOrEqual(base * 1.25 + 0.01);
    };
    within('/busy', 10);
    within('/steady', 60);
    within('/quiet', 240);
    within('/ttl', 180);
    within('/cached', 120);
  });

  it('fetches only due feeds, and a restart resumes the schedule', async () => {
    outlet.routes.set('/a', { body: rssFeed(itemSeries('l', 3, T0, 30 * MIN)) });
    const app = await start(['/a'], { minInterval: '20m', maxInterval: '20m' });
    expect((await app.app.poller.poll({ mode: 'due' })).feeds).toBe(1);
    app.clock.now += 10 * MIN;
    expect((await app.app.poller.poll({ mode: 'due' })).feeds).toBe(0);
    const dataDir = app.dataDir;
    await app.close({ keepData: true });
    nm = null;
    const again = await start(['/a'], { minInterval: '20m', maxInterval: '20m' }, dataDir);
    again.clock.now = T0 + 10 * MIN;
    expect((await again.app.poller.poll({ mode: 'due' })).feeds).toBe(0);
    again.clock.now = T0 + 26 * MIN;
    expect((await again.app.poller.poll({ mode: 'due' })).feeds).toBe(1);
    expect((await again.json<{ items: unknown[] }>('/topics/world.json')).items).toHaveLength(3);
  });

  it('keeps at most `concurrency` fetches in flight and `perHostConcurrency` per host', async () => {
    const other = await new FixtureServer().start('127.0.0.3');
    let active = 0;
    let peak = 0;
    const perHost = new Map<string, number>();
    const peakPerHost = new Map<string, number>();
    const slow = (host: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
      active++;
      perHost.set(host, (perHost.get(host) ?? 0) + 1);
      peak = Math.max(peak, active);
      peakPerHost.set(host, Math.max(peakPerHost.get(host) ?? 0, perHost.get(host)!));
      setTimeout(() => {
        active--;
        perHost.set(host, perHost.get(host)! - 1);
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(itemSeries(`${host}x`, 1, T0, HOUR)));
      }, 80);
    };
    try {
      const feeds = [];
      for (let i = 0; i < 6; i++) {
        outlet.routes.set(`/f${i}`, slow('a'));
        other.routes.set(`/f${i}`, slow('b'));
        feeds.push({ url: outlet.url(`/f${i}`), title: `A${i}`, tags: ['world'] }, { url: other.url(`/f${i}`), title: `B${i}`, tags: ['world'] });
      }
      nm = await startTestApp({ feeds, config: { concurrency: 3, perHostConcurrency: 2 }, now: T0 });
      expect(await nm.pollAll()).toMatchObject({ feeds: 12, fetched: 12 });
      expect(peak).toBe(3);
      expect(Math.max(...peakPerHost.values())).toBe(2);
    } finally {
      await other.close();
    }
  });

  it('updates an edited item in place: same story id, new headline', async () => {
    const items = itemSeries('m', 2, T0, HOUR);
    outlet.routes.set('/feed', { body: rssFeed(items) });
    const app = await start(['/feed']);
    await app.pollAll();
    const before = await app.json<{ items: Array<{ id: string; title: string }> }>('/topics/world.json');
    items[0]!.title = 'A corrected headline for the first story of this feed';
    outlet.routes.set('/feed', { body: rssFeed(items) });
    app.clock.now += HOUR;
    expect(await app.pollAll()).toMatchObject({ newItems: 0, updatedItems: 1 });
    const after = await app.json<{ items: Array<{ id: string; title: string }> }>('/topics/world.json');
    expect(after.items.map((i) => i.id)).toEqual(before.items.map((i) => i.id));
    expect(after.items.find((i) => i.id === before.items.find((b) => b.title === seriesTitle('m', 0))!.id)!.title).toBe(
      'A corrected headline for the first story of this feed',
    );
  });

  it('falls back to links when more than 5 % of guids are empty or repeated', async () => {
    const items = itemSeries('n', 10, T0, HOUR).map((item, i) => ({ ...item, guid: i < 2 ? 'same' : item.guid }));
    outlet.routes.set('/feed', { body: rssFeed(items) });
    const app = await start(['/feed']);
    expect(await app.pollAll()).toMatchObject({ newItems: 10 });
    expect(state(app, '/feed').guidMode).toBe('link');
    const reordered = [...items].reverse().map((item) => ({ ...item, guid: 'whatever' }));
    outlet.routes.set('/feed', { body: rssFeed(reordered) });
    app.clock.now += HOUR;
    expect(await app.pollAll()).toMatchObject({ newItems: 0 });
  });

  it('keeps items for retentionDays from first sight, but always each feed\'s newest keepPerFeed', async () => {
    outlet.routes.set('/old', { body: rssFeed(itemSeries('o', 8, T0, HOUR)) });
    const app = await start(['/old'], { retentionDays: 30, keepPerFeed: 3 });
    await app.pollAll();
    app.clock.now += 10 * 24 * HOUR;
    outlet.routes.set('/old', { body: rssFeed(itemSeries('p', 2, app.clock.now, HOUR)) });
    expect(await app.pollAll()).toMatchObject({ newItems: 2, prunedItems: 0 });
    app.clock.now += 25 * 24 * HOUR;
    expect(await app.pollAll()).toMatchObject({ prunedItems: 7 });
    const titles = (await app.json<{ items: Array<{ title: string }> }>('/topics/world.json')).items.map((i) => i.title);
    expect(titles).toHaveLength(3);
    expect(titles.sort()).toEqual([seriesTitle('o', 0), seriesTitle('p', 0), seriesTitle('p', 1)].sort());
  });

  it('never blocks serving: the thread answering HTTP stays responsive while a large write runs', async () => {
    // One feed of 1,000 new items is one batch: written on the serving thread it held it for most of a second.
    const words = Array.from({ length: 400 }, (_, i) => pseudoWord(`w${i}`));
    const pick = (i: number, k: number) => words[(i * 7919 + k * 104729) % words.length]!;
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      title: Array.from({ length: 8 }, (_, k) => pick(i, k)).join(' '),
      guid: `big-${i}`,
      date: T0 - i * MIN,
      description: Array.from({ length: 30 }, (_, k) => pick(i, k + 8)).join(' '),
    }));
    outlet.routes.set('/big', { body: rssFeed(items) });
    const app = await start(['/big']);
    const started = performance.now();
    const latencies: number[] = [];
    const answeredAt: number[] = [];
    let done = false;
    const cycle = app.pollAll().finally(() => (done = true));
    while (!done) {
      const t = performance.now();
      expect((await app.get('/healthz')).status).toBe(200);
      latencies.push(performance.now() - t);
      answeredAt.push(performance.now());
      await new Promise((r) => setTimeout(r, 10));
    }
    const longestGap = Math.max(...answeredAt.slice(1).map((t, i) => t - answeredAt[i]!));
    const report = await cycle;
    expect(report.newItems).toBe(1_000);
    // The work took long enough that blocking would show (a write of this size takes several hundred ms).
    expect(performance.now() - started).toBeGreaterThan(300);
    expect(latencies.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(150);
    expect(longestGap).toBeLessThan(150);
    expect((await app.json<{ items: unknown[] }>('/topics/world.json?limit=500')).items).toHaveLength(500);
  });
});

describe('per-feed options', () => {
  it('sends configured headers and User-Agent, skips disabled feeds, and applies interval bounds', async () => {
    const outlet = await new FixtureServer().start();
    outlet.routes.set('/auth', (req, res) => {
      if (req.headers.authorization !== 'Basic dTpw') return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(itemSeries('auth', 10, T0, 60_000)));
    });
    outlet.routes.set('/off', { body: rssFeed(itemSeries('off', 2, T0, HOUR)) });
    const nm = await startTestApp({
      feeds: [
        { url: outlet.url('/auth'), title: 'Members only', tags: ['world'], headers: { Authorization: 'Basic dTpw', Cookie: 'session=1' }, userAgent: 'MyReader/2.0', minInterval: '45m', maxInterval: '2h' },
        { url: outlet.url('/off'), title: 'Switched off', tags: ['world'], enabled: false },
      ],
      now: T0,
    });
    try {
      expect(await nm.pollAll()).toMatchObject({ feeds: 1, fetched: 1, newItems: 10 });
      const request = outlet.requestsFor('/auth')[0]!;
      expect(request.headers['user-agent']).toBe('MyReader/2.0');
      expect(request.headers.cookie).toBe('session=1');
      expect(outlet.requestsFor('/off')).toHaveLength(0);
      // Items a minute apart would ask for 30 s; the feed's own minimum of 45 minutes wins.
      const wait = (nm.app.store.feeds.byUrl(outlet.url('/auth'))!.nextFetchAt! - T0) / MIN;
      expect(wait).toBeGreaterThanOrEqual(45);
      expect(wait).toBeLessThanOrEqual(45 * 1.25);
      const api = await nm.json<{ feeds: Array<{ title: string; enabled: boolean; disabledReason: string | null }> }>('/api/feeds');
      expect(api.feeds.find((f) => f.title === 'Switched off')).toMatchObject({ enabled: false, disabledReason: 'disabled in the config' });
      expect(outlet.requestsFor('/auth')[0]!.headers['user-agent']).not.toContain('newsmerge');
    } finally {
      await nm.close();
      await outlet.close();
    }
  });

  it('names newsmerge and its version in the default User-Agent', async () => {
    const outlet = await new FixtureServer().start();
    outlet.routes.set('/feed', { body: rssFeed(itemSeries('ua', 1, T0, HOUR)) });
    const nm = await startTestApp({ feeds: [{ url: outlet.url('/feed'), title: 'UA', tags: ['world'] }], now: T0 });
    try {
      await nm.pollAll();
      expect(outlet.requestsFor('/feed')[0]!.headers['user-agent']).toMatch(/^newsmerge\/test \(/);
    } finally {
      await nm.close();
      await outlet.close();
    }
  });
});

describe('the poller under a write backlog', () => {
  it('pauses fetching while parsed items wait to be written, so a big first poll never holds every feed in memory', async () => {
    const outlet = await new FixtureServer().start();
    const dir = tempDir();
    const store = openStore(dir);
    const counter = new Database(join(dir, 'newsmerge.db'), { readonly: true });
    const storedWhenAsked: number[] = [];
    const feeds = Array.from({ length: 6 }, (_, i) => `/f${i}`);
    for (const [i, path] of feeds.entries()) {
      outlet.routes.set(path, (_req, res) => {
        storedWhenAsked.push(counter.prepare('SELECT count(*) FROM items').pluck().get() as number);
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(itemSeries(`p${i}`, 5, T0 - i * HOUR, MIN)));
      });
    }
    const config = parseConfigText(JSON.stringify({ schedule: '0 0 1 1 *', topics: { world: { title: 'World' } }, concurrency: 1, feeds: feeds.map((p) => ({ url: outlet.url(p), title: `Outlet ${p}`, tags: ['world'] })) }), 'test');
    // One pending item at most: each fetch waits until the feed before it is written.
    const poller = new Poller({ engine: new ClusterEngine(store, config.dedup.window), fetcher: createFetcher({ classifyAddress: () => false }), config: () => config, logger: pino({ level: 'silent' }), now: () => T0, userAgent: 'test', batchDelayMs: 0, maxPendingItems: 1 });
    try {
      expect(await poller.poll({ mode: 'all' })).toMatchObject({ fetched: 6, newItems: 30 });
      expect(storedWhenAsked).toEqual([0, 5, 10, 15, 20, 25]);
    } finally {
      counter.close();
      store.close();
      await outlet.close();
    }
  });
});
