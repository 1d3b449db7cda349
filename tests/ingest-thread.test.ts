import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config/load-config.js';
import { createFetcher } from '../src/ingest/fetch-feed.js';
import { Poller } from '../src/ingest/poller.js';
import { ClusterEngine } from '../src/cluster/cluster-engine.js';
import { openStore } from '../src/store/store.js';
import { itemSeries, rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const T0 = Date.parse('2022-02-17T12:00:00Z');
const HOUR = 3_600_000;

interface Health {
  status: string;
  ingest: { state: string; restarts: number; heapLimitMb: number; lastCrash: { at: string; error: string } | null };
}

describe('the ingest thread', () => {
  let outlet: FixtureServer;
  let nm: TestApp | null = null;

  beforeEach(async () => {
    outlet = await new FixtureServer().start();
    outlet.routes.set('/small', { body: rssFeed(itemSeries('small', 3, T0, HOUR)) });
    // About 9 MB of text: more than a 32 MB heap can parse.
    outlet.routes.set('/huge', { body: rssFeed(itemSeries('huge', 1_000, T0, 60_000).map((i) => ({ ...i, description: 'word '.repeat(1_800) }))) });
  });

  afterEach(async () => {
    await nm?.close();
    nm = null;
    await outlet.close();
  });

  it('runs polls off the serving thread and says so in /healthz and /api/feeds', async () => {
    nm = await startTestApp({ feeds: [{ url: outlet.url('/small'), title: 'Small', tags: ['world'] }], now: T0 });
    expect(await nm.pollAll()).toMatchObject({ newItems: 3, interrupted: null });
    const health = await nm.json<Health>('/healthz');
    expect(health.ingest).toEqual({ state: 'running', restarts: 0, heapLimitMb: 512, lastCrash: null });
    expect((await nm.json<{ ingest: Health['ingest'] }>('/api/feeds')).ingest.state).toBe('running');
  });

  it('is restarted after a crash while the server keeps serving, and the crash is shown', async () => {
    // A 32 MB heap runs small polls (the shipped models take about 4 MB of it); the 9 MB feed does not fit.
    const log: string[] = [];
    nm = await startTestApp({
      feeds: [
        { url: outlet.url('/small'), title: 'Small', tags: ['world'] },
        { url: outlet.url('/huge'), title: 'Huge', tags: ['world'] },
      ],
      now: T0,
      log,
      env: { NEWSMERGE_INGEST_MAX_HEAP_MB: '32', NEWSMERGE_ADMIN_TOKEN: 'crash-test-admin-token' },
    });
    expect(await nm.app.poller.poll({ mode: 'all', url: outlet.url('/small') })).toMatchObject({ newItems: 3 });
    const crashed = await nm.app.poller.poll({ mode: 'all', url: outlet.url('/huge') });
    expect(crashed.interrupted).toMatch(/ingest thread crashed: .*memory/);
    // Serving goes on while the thread is down.
    expect((await nm.json<{ items: unknown[] }>('/topics/world.json')).items).toHaveLength(3);
    const down = await nm.json<Health>('/healthz');
    expect(down.status).toBe('ok');
    // Out of memory: it comes back with twice the heap.
    expect(down.ingest).toMatchObject({ state: 'restarting', restarts: 1, heapLimitMb: 64, lastCrash: { error: expect.stringMatching(/memory/) } });
    expect((await nm.json<{ ingest: Health['ingest'] }>('/api/feeds')).ingest.lastCrash?.error).toMatch(/memory/);
    expect(log.some((l) => l.includes('the ingest thread crashed'))).toBe(true);
    // Asked while it is down, a refresh says it could not poll instead of claiming it did.
    const refresh = await nm.get(`/api/feeds/refresh?url=${encodeURIComponent(outlet.url('/small'))}`, { method: 'POST', headers: { authorization: 'Bearer crash-test-admin-token' } });
    expect(refresh.status).toBe(503);
    expect(((await refresh.json()) as { error: string }).error).toMatch(/restarting/);

    // Restarted after a second: it polls again, with the store as the crash left it.
    await expect.poll(async () => (await nm!.json<Health>('/healthz')).ingest.state, { timeout: 5_000, interval: 100 }).toBe('running');
    outlet.routes.set('/small', { body: rssFeed(itemSeries('small', 5, T0, HOUR)) });
    expect(await nm.app.poller.poll({ mode: 'all', url: outlet.url('/small') })).toMatchObject({ newItems: 2, interrupted: null });
    expect((await nm.json<{ items: unknown[] }>('/topics/world.json')).items).toHaveLength(5);
  });

  it('stops within the shutdown deadline in the middle of a poll, keeping what was committed', async () => {
    outlet.routes.set('/stalled', () => undefined);
    nm = await startTestApp({
      feeds: [
        { url: outlet.url('/small'), title: 'Small', tags: ['world'] },
        { url: outlet.url('/stalled'), title: 'Stalled', tags: ['world'] },
      ],
      now: T0,
    });
    expect(await nm.app.poller.poll({ mode: 'all', url: outlet.url('/small') })).toMatchObject({ newItems: 3 });
    const cycle = nm.pollAll();
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const dataDir = nm.dataDir;
    await nm.close({ keepData: true });
    nm = null;
    expect(performance.now() - started).toBeLessThan(1_500);
    expect((await cycle).interrupted).not.toBeNull();
    const store = openStore(dataDir);
    try {
      expect(store.db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(3);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      store.close();
    }
  });
});

describe('topic feeds while ingest writes', () => {
  it('serve the last rendering with its own validators, re-checked at most once a second and never while a request waits', async () => {
    const outlet = await new FixtureServer().start();
    outlet.routes.set('/a', { body: rssFeed(itemSeries('a', 3, T0, HOUR)) });
    const nm = await startTestApp({ feeds: [{ url: outlet.url('/a'), title: 'A', tags: ['world'] }], now: T0 });
    // Another writer on the same data directory, as the ingest thread is: its commits reach the server unannounced.
    const store = openStore(nm.dataDir);
    const config = loadConfigFile(nm.configPath);
    const writer = new Poller({ engine: new ClusterEngine(store, config.dedup.window), fetcher: createFetcher(), config: () => config, logger: pino({ level: 'silent' }), now: () => T0, userAgent: 'test', batchDelayMs: 0 });
    try {
      await writer.poll({ mode: 'all' });
      await new Promise((r) => setTimeout(r, 1_100));
      const first = await nm.get('/topics/world.json');
      const etag = first.headers.get('etag')!;
      expect(((await first.json()) as { items: unknown[] }).items).toHaveLength(3);

      outlet.routes.set('/a', { body: rssFeed(itemSeries('a', 5, T0, HOUR)) });
      await writer.poll({ mode: 'all' });
      // Within the second: the rendering already made, and a 304 for its tag.
      const stale = await nm.get('/topics/world.json');
      expect(stale.headers.get('etag')).toBe(etag);
      expect(((await stale.json()) as { items: unknown[] }).items).toHaveLength(3);
      expect((await nm.get('/topics/world.json', { headers: { 'if-none-match': etag } })).status).toBe(304);

      // After it, the next request is still answered from the old rendering and starts a re-check; the one
      // after that has the new content under a new tag.
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await nm.get('/topics/world.json')).headers.get('etag')).toBe(etag);
      await expect.poll(async () => (await nm.get('/topics/world.json')).headers.get('etag'), { timeout: 2_000, interval: 20 }).not.toBe(etag);
      const fresh = await nm.get('/topics/world.json');
      expect(((await fresh.json()) as { items: unknown[] }).items).toHaveLength(5);
      expect((await nm.get('/topics/world.json', { headers: { 'if-none-match': etag } })).status).toBe(200);
    } finally {
      store.close();
      await nm.close();
      await outlet.close();
    }
  });
});

describe('a write path failure that is not the database', () => {
  let outlet: FixtureServer;

  beforeEach(async () => {
    outlet = await new FixtureServer().start();
  });

  afterEach(async () => {
    await outlet.close();
  });

  it('is recorded on the feed with backoff, and never rolls back the other feeds of its batch', async () => {
    outlet.routes.set('/good', { body: rssFeed(itemSeries('good', 3, T0, HOUR)) });
    outlet.routes.set('/poison', { body: rssFeed(itemSeries('poison', 3, T0, HOUR)) });
    {
      const app = await startTestApp({
        feeds: [
          { url: outlet.url('/good'), title: 'Good', tags: ['world'] },
          { url: outlet.url('/poison'), title: 'Poison', tags: ['world'] },
        ],
        now: T0,
      });
      const store = openStore(app.dataDir);
      const config = loadConfigFile(app.configPath);
      // Fault injection: a bug in our own code that one feed's items trigger.
      const insert = store.items.insert.bind(store.items);
      store.items.insert = (item) => {
        if (item.link?.includes('/poison/')) throw new TypeError('cannot read properties of undefined');
        return insert(item);
      };
      const poller = new Poller({ engine: new ClusterEngine(store, config.dedup.window), fetcher: createFetcher(), config: () => config, logger: pino({ level: 'silent' }), now: () => T0, userAgent: 'test', batchDelayMs: 1_000 });
      try {
        const report = await poller.poll({ mode: 'all' });
        expect(report).toMatchObject({ fetched: 1, failed: 1, newItems: 3, writeErrors: 0 });
        expect(report.failures).toEqual([{ url: outlet.url('/poison'), error: 'store: cannot read properties of undefined' }]);
        const poison = store.feeds.byUrl(outlet.url('/poison'))!;
        expect(poison).toMatchObject({ lastError: 'store: cannot read properties of undefined', errorCount: 1 });
        expect(poison.nextFetchAt! - T0).toBeGreaterThanOrEqual(HOUR / 2);
        const api = await app.json<{ feeds: Array<{ title: string; lastError: string | null; itemCount: number }> }>('/api/feeds');
        expect(api.feeds.map((f) => [f.title, f.lastError, f.itemCount])).toEqual([
          ['Good', null, 3],
          ['Poison', 'store: cannot read properties of undefined', 0],
        ]);
        // Not due again on the next wake: the failure does not repeat every few minutes.
        expect((await poller.poll({ mode: 'due' })).feeds).toBe(0);
      } finally {
        store.close();
        await app.close();
      }
    }
  });
});
