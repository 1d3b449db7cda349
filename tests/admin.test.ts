import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerMatches } from '../src/serve/admin-auth.js';
import { itemSeries, rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const TOKEN = 'test-admin-token-0123456789';
const T0 = Date.parse('2022-02-17T12:00:00Z');

describe('admin API', () => {
  let outlet: FixtureServer;
  let nm: TestApp;
  let secretUrl: string;

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    outlet.routes.set('/feed', { body: rssFeed(itemSeries('adm', 3, T0, 3_600_000)) });
    outlet.routes.set('/private', { body: rssFeed(itemSeries('prv', 2, T0, 3_600_000)) });
    secretUrl = outlet.url('/private?apikey=s3cr3t&page=1').replace('http://', 'http://reader:hunter2@');
    nm = await startTestApp({
      feeds: [
        { url: outlet.url('/feed'), title: 'Plain outlet', tags: ['world'] },
        { url: secretUrl, title: 'Paywalled outlet', tags: ['world'] },
      ],
      now: T0,
      env: { NEWSMERGE_ADMIN_TOKEN: TOKEN },
    });
  });

  afterAll(async () => {
    await nm.close();
    await outlet.close();
  });

  const post = (path: string, token?: string) => nm.get(path, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('compares the bearer token exactly', () => {
    expect(bearerMatches(TOKEN, `Bearer ${TOKEN}`)).toBe(true);
    expect(bearerMatches(TOKEN, `bearer ${TOKEN}`)).toBe(true);
    expect(bearerMatches(TOKEN, `Bearer ${TOKEN}x`)).toBe(false);
    expect(bearerMatches(TOKEN, `Basic ${TOKEN}`)).toBe(false);
    expect(bearerMatches(null, `Bearer ${TOKEN}`)).toBe(false);
  });

  it('answers 401 with WWW-Authenticate: Bearer without the right token', async () => {
    for (const res of [await post('/api/poll'), await post('/api/poll', 'wrong-token-wrong-token'), await post('/api/reload', TOKEN.slice(0, -1))]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('POST /api/poll starts polling everything and answers 202 with JSON', async () => {
    expect((await nm.json<{ feeds: Array<{ itemCount: number }> }>('/api/feeds')).feeds.map((f) => f.itemCount)).toEqual([0, 0]);
    const res = await post('/api/poll', TOKEN);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'accepted', feeds: 2 });
    await nm.app.poller.poll({ mode: 'due' });
    expect((await nm.json<{ feeds: Array<{ itemCount: number }> }>('/api/feeds')).feeds.map((f) => f.itemCount)).toEqual([3, 2]);
  });

  it('POST /api/feeds/refresh?url= polls one configured feed', async () => {
    outlet.routes.set('/feed', { body: rssFeed(itemSeries('adm', 5, T0, 3_600_000)) });
    const res = await post(`/api/feeds/refresh?url=${encodeURIComponent(outlet.url('/feed'))}`, TOKEN);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'polled', lastStatus: 200, lastError: null });
    expect((await nm.json<{ feeds: Array<{ itemCount: number }> }>('/api/feeds')).feeds[0]!.itemCount).toBe(5);
    expect((await post('/api/feeds/refresh?url=https%3A%2F%2Fnowhere.example%2F', TOKEN)).status).toBe(404);
    expect((await post('/api/feeds/refresh', TOKEN)).status).toBe(400);
  });

  it('POST /api/reload applies a valid config and rejects an invalid one, keeping the running config', async () => {
    const original = readFileSync(nm.configPath, 'utf8');
    const config = JSON.parse(original) as { topics: Record<string, { title: string }> };
    config.topics.world!.title = 'Planet Earth';
    writeFileSync(nm.configPath, JSON.stringify(config));
    const ok = await post('/api/reload', TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'reloaded', feeds: 2 });
    expect((await nm.json<{ title: string }>('/topics/world.json')).title).toBe('newsmerge: Planet Earth');
    writeFileSync(nm.configPath, '{"schedule": "nope", "topics": {}, "feeds": []}');
    const bad = await post('/api/reload', TOKEN);
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: string };
    expect(error).toContain(nm.configPath);
    expect(error).toContain('schedule: is not a valid cron expression');
    expect(error).toContain('The running config is kept');
    expect((await nm.json<{ title: string }>('/topics/world.json')).title).toBe('newsmerge: Planet Earth');
    writeFileSync(nm.configPath, original);
  });

  it('never shows feed credentials publicly, but shows them to the admin', async () => {
    const publicFeeds = JSON.stringify(await nm.json('/api/feeds'));
    expect(publicFeeds).not.toContain('hunter2');
    expect(publicFeeds).not.toContain('s3cr3t');
    expect(publicFeeds).toContain('REDACTED');
    expect(publicFeeds).toContain('page=1');
    const opml = await (await nm.get('/opml/outlets')).text();
    expect(opml).not.toContain('hunter2');
    expect(opml).not.toContain('s3cr3t');
    const admin = await (await nm.get('/api/feeds', { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(admin).toContain('hunter2');
    expect(admin).toContain('s3cr3t');
    expect(await (await nm.get('/opml/outlets', { headers: { authorization: `Bearer ${TOKEN}` } })).text()).toContain('s3cr3t');
  });

  it('exposes Prometheus metrics', async () => {
    const res = await nm.get('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of [
      'newsmerge_poll_cycles_total',
      'newsmerge_fetches_total{result="fetched",status="200"}',
      'newsmerge_fetch_duration_seconds_bucket',
      'newsmerge_parse_duration_seconds_count',
      'newsmerge_items 7',
      'newsmerge_stories 7',
      'newsmerge_items_ingested_total{kind="new"} 7',
      'newsmerge_story_merges_total',
      'newsmerge_http_requests_total{route="/api/feeds",status="200"}',
      'newsmerge_database_size_bytes',
      'newsmerge_process_resident_memory_bytes',
    ]) {
      expect(text, name).toContain(name);
    }
  });

  it('a feed added by a reload is registered by the ingest thread, polled on request and served in its topic', async () => {
    const original = readFileSync(nm.configPath, 'utf8');
    outlet.routes.set('/added', { body: rssFeed(itemSeries('new', 2, T0, 3_600_000)) });
    const config = JSON.parse(original) as { feeds: Array<Record<string, unknown>> };
    config.feeds.push({ url: outlet.url('/added'), title: 'Added outlet', tags: ['politics'] });
    writeFileSync(nm.configPath, JSON.stringify(config));
    try {
      expect((await post('/api/reload', TOKEN)).status).toBe(200);
      const refresh = await post(`/api/feeds/refresh?url=${encodeURIComponent(outlet.url('/added'))}`, TOKEN);
      expect(refresh.status).toBe(200);
      const politics = await nm.json<{ items: Array<{ _newsmerge: { sources: Array<{ name: string }> } }> }>('/topics/politics.json');
      expect(politics.items.map((i) => i._newsmerge.sources[0]!.name)).toEqual(['Added outlet', 'Added outlet']);
    } finally {
      writeFileSync(nm.configPath, original);
      await post('/api/reload', TOKEN);
    }
  });
});

describe('admin API without a token', () => {
  it('does not exist: 404', async () => {
    const nm = await startTestApp({ feeds: [] });
    try {
      for (const path of ['/api/poll', '/api/reload', '/api/feeds/refresh?url=x']) {
        expect((await nm.get(path, { method: 'POST', headers: { authorization: 'Bearer anything-at-all' } })).status).toBe(404);
      }
      expect((await nm.get('/api/feeds')).status).toBe(200);
    } finally {
      await nm.close();
    }
  });
});

describe('readiness', () => {
  it('is 503 until the first poll cycle has finished, then 200', async () => {
    const nm = await startTestApp({ feeds: [] });
    try {
      expect((await nm.get('/readyz')).status).toBe(503);
      expect((await nm.get('/healthz')).status).toBe(200);
      await nm.pollAll();
      expect((await nm.get('/readyz')).status).toBe(200);
    } finally {
      await nm.close();
    }
  });
});
