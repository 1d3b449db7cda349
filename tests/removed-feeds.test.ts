import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssFeed, seriesTitle, type TestItem } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { ROOT } from './helpers/run-process.js';
import { DEFAULT_TOPICS, startTestApp, tempDir, type TestApp, type TestFeed } from './helpers/test-app.js';

const TOKEN = 'removed-feeds-admin-token-0123';
const T0 = Date.parse('2022-02-17T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface ApiStory {
  id: number;
  title: string;
  sourceCount: number;
  itemCount: number;
  sources: Array<{ name: string; url: string | null }>;
  related: Array<{ id: number; sources: string[] }>;
  items?: Array<{ outlet: string; title: string }>;
}

// One event all three outlets report under the same headline, and one that only Outlet C reports.
const SHARED = seriesTitle('shared', 0);
const ONLY_C = seriesTitle('only-c', 0);

function outletItems(name: string): TestItem[] {
  const items: TestItem[] = [
    { title: SHARED, link: `https://${name}.example/shared`, guid: `${name}-shared`, date: T0 - HOUR, description: `${name} on the shared event` },
    { title: seriesTitle(`own-${name}`, 0), link: `https://${name}.example/own`, guid: `${name}-own`, date: T0 - 2 * HOUR, description: `${name} alone` },
  ];
  if (name === 'c') items.push({ title: ONLY_C, link: 'https://c.example/only', guid: 'c-only', date: T0 - 3 * HOUR, description: 'zebrafishword appears only here' });
  return items;
}

describe('feeds removed from the config', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  let feeds: TestFeed[];
  const cRequests: Array<string | undefined> = [];

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    outlets.routes.set('/a.rss', { body: rssFeed(outletItems('a')) });
    outlets.routes.set('/b.rss', { body: rssFeed(outletItems('b')) });
    // Outlet C answers conditional GETs: after retention emptied it, coming back must still bring its items.
    const cBody = rssFeed(outletItems('c'));
    outlets.routes.set('/c.rss', (req, res) => {
      cRequests.push(req.headers['if-none-match']);
      if (req.headers['if-none-match'] === '"c1"') res.writeHead(304, { etag: '"c1"' }).end();
      else res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"c1"' }).end(cBody);
    });
    feeds = [
      { url: outlets.url('/a.rss'), title: 'Outlet A', tags: ['world'] },
      { url: outlets.url('/b.rss'), title: 'Outlet B', tags: ['world'] },
      { url: outlets.url('/c.rss'), title: 'Outlet C', tags: ['world', 'politics'] },
    ];
    nm = await startTestApp({ feeds, now: T0, env: { NEWSMERGE_ADMIN_TOKEN: TOKEN }, config: { retentionDays: 2, keepPerFeed: 50 } });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
  });

  const reloadWith = async (configured: TestFeed[]) => {
    writeFileSync(nm.configPath, JSON.stringify({ schedule: '*/5 * * * *', topics: DEFAULT_TOPICS, feeds: configured, retentionDays: 2, keepPerFeed: 50 }));
    const res = await nm.get('/api/reload', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const stories = async (query = '') => (await nm.json<{ stories: ApiStory[] }>(`/api/stories?limit=500${query}`)).stories;
  const storyTitled = async (title: string) => (await stories()).find((s) => s.title === title);

  it('leave listings, story pages, counts, search and feeds at once, and come back with the feed', async () => {
    const shared = (await storyTitled(SHARED))!;
    expect(shared.sources.map((s) => s.name).sort()).toEqual(['Outlet A', 'Outlet B', 'Outlet C']);
    expect(shared).toMatchObject({ sourceCount: 3, itemCount: 3 });
    const onlyC = (await storyTitled(ONLY_C))!;
    expect(onlyC).toBeDefined();
    expect((await stories('&min_sources=3')).map((s) => s.id)).toEqual([shared.id]);

    await reloadWith(feeds.slice(0, 2));

    // The API: listing, counts, min_sources, search, one story with its items.
    const listed = await stories();
    expect(listed.map((s) => s.id)).not.toContain(onlyC.id);
    for (const s of listed) expect(s.sources.map((x) => x.name)).not.toContain('Outlet C');
    expect(listed.find((s) => s.id === shared.id)).toMatchObject({ sourceCount: 2, itemCount: 2 });
    expect(await stories('&min_sources=3')).toEqual([]);
    expect((await stories('&min_sources=2')).map((s) => s.id)).toEqual([shared.id]);
    expect(await stories('&q=zebrafishword')).toEqual([]);
    const one = await nm.json<ApiStory>(`/api/stories/${shared.id}`);
    expect(one.items!.map((i) => i.outlet).sort()).toEqual(['Outlet A', 'Outlet B']);
    expect(one.sourceCount).toBe(2);
    // A story of removed feeds only is gone (404, not 410: it comes back if the feed does).
    expect((await nm.get(`/api/stories/${onlyC.id}`)).status).toBe(404);
    expect((await nm.get(`/stories/${onlyC.id}`)).status).toBe(404);

    // Pages and feeds.
    const page = await (await nm.get(`/stories/${shared.id}`)).text();
    expect(page).toContain('Outlet A');
    expect(page).not.toContain('Outlet C');
    expect(page).toContain('Covered by 2 outlets');
    for (const path of ['/topics/world.json', '/topics/world.rss', '/all.atom', '/topics/politics.json', '/topics/world']) {
      const res = await nm.get(path);
      expect(res.status, path).toBe(200);
      const body = await res.text();
      expect(body, path).not.toContain('Outlet C');
      expect(body, path).not.toContain(ONLY_C);
    }
    const json = await nm.json<{ items: Array<{ title: string; _newsmerge: { sources: unknown[] } }> }>('/topics/world.json');
    expect(json.items.find((i) => i.title === SHARED)!._newsmerge.sources).toHaveLength(2);

    // The feed comes back: so do its items, without a fetch (they were never deleted).
    await reloadWith(feeds);
    expect(await storyTitled(SHARED)).toMatchObject({ id: shared.id, sourceCount: 3, itemCount: 3 });
    expect((await nm.get(`/api/stories/${onlyC.id}`)).status).toBe(200);
    expect(JSON.stringify(await nm.json('/topics/world.json'))).toContain('Outlet C');
  });

  it('are deleted after retentionDays whatever keepPerFeed says, and a feed added back is fetched afresh', async () => {
    await reloadWith(feeds.slice(0, 2));
    const itemCounts = () => {
      const byUrl = new Map(nm.app.store.feeds.all().map((f) => [f.url, f.id]));
      const counts = nm.app.store.feeds.itemCounts();
      return feeds.map((f) => (byUrl.has(f.url) ? (counts.get(byUrl.get(f.url)!) ?? 0) : null));
    };
    nm.clock.now = T0 + DAY;
    await nm.pollAll();
    expect(itemCounts()).toEqual([2, 2, 3]);
    nm.clock.now = T0 + 3 * DAY;
    const report = await nm.pollAll();
    // Configured feeds keep their keepPerFeed newest; the removed feed keeps nothing, and its row goes too.
    expect(report.prunedItems).toBe(3);
    expect(itemCounts()).toEqual([2, 2, null]);
    expect(nm.app.store.feeds.byUrl(feeds[2]!.url)).toBeNull();

    cRequests.length = 0;
    await reloadWith(feeds);
    await nm.pollAll();
    // Its stored ETag went with its row: an unconditional fetch, so its items are stored again.
    expect(cRequests).toEqual([undefined]);
    expect(itemCounts()).toEqual([2, 2, 3]);
    expect((await storyTitled(SHARED))!.sourceCount).toBe(3);
    expect(await storyTitled(ONLY_C)).toBeDefined();
  });
});

interface DemoRun {
  outletsPort: number;
  stories: ApiStory[];
  warning: string;
}

/** Runs `npm run demo`'s script on `dataDir` until it is up, reads its stories, and stops it with SIGTERM. */
async function runDemo(dataDir: string): Promise<DemoRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/demo.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NEWSMERGE_DATA: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    const ready = await new Promise<RegExpExecArray>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`demo not up in 30 s:\n${out}\n${err}`)), 30_000);
      child.stdout.on('data', () => {
        const m = /Sample outlets: http:\/\/127\.0\.0\.1:(\d+)\/outlets\/[\s\S]*Home page\s+http:\/\/localhost:(\d+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          done(m);
        }
      });
      void exited.then((code) => fail(new Error(`demo exited (${code}):\n${out}\n${err}`)));
    });
    const res = await fetch(`http://127.0.0.1:${ready[2]}/api/stories?limit=500`);
    const { stories } = (await res.json()) as { stories: ApiStory[] };
    return { outletsPort: Number(ready[1]), stories, warning: err };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('npm run demo', () => {
  const dataDir = tempDir('newsmerge-demo-');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('can be run again on its data directory without doubling any story’s outlets', async () => {
    const outlets = (s: ApiStory) => s.sources.map((x) => x.name).sort();
    const first = await runDemo(dataDir);
    expect(first.stories.length).toBeGreaterThan(3);
    expect(first.stories.some((s) => s.sourceCount >= 2)).toBe(true);

    const second = await runDemo(dataDir);
    // The outlets come back on the same port: same feed and article URLs, the same stories.
    expect(second.outletsPort).toBe(first.outletsPort);
    expect(second.stories.map((s) => [s.id, s.sourceCount, s.itemCount, outlets(s)])).toEqual(first.stories.map((s) => [s.id, s.sourceCount, s.itemCount, outlets(s)]));

    // Its port taken, the outlets move: the old URLs are removed feeds, and still no story counts an outlet twice.
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(first.outletsPort, '127.0.0.1', done));
    try {
      const third = await runDemo(dataDir);
      expect(third.outletsPort).not.toBe(first.outletsPort);
      expect(third.warning).toContain(`Port ${first.outletsPort} of the previous demo run is taken`);
      for (const s of third.stories) {
        expect(new Set(outlets(s)).size, s.title).toBe(outlets(s).length);
        expect(s.sourceCount, s.title).toBe(outlets(s).length);
        expect(s.itemCount, s.title).toBeLessThanOrEqual(5);
      }
      const total = (run: DemoRun) => run.stories.reduce((n, s) => n + s.itemCount, 0);
      expect(total(third)).toBe(total(first));
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  }, 120_000);
});
