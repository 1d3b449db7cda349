import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer } from './helpers/fixture-server.js';
import { runNode } from './helpers/run-process.js';
import { startTestApp, tempDir, writeConfig, type TestApp } from './helpers/test-app.js';
import { polledTopicApp } from './helpers/topic-fixtures.js';

const BASE = 'http://news.test/';

describe('pages answer errors in HTML, the API and feeds in their own formats', () => {
  let nm: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ nm, close } = await polledTopicApp());
  });

  afterAll(() => close());

  it('shows a page in the site layout saying what went wrong and where to go, with the status kept', async () => {
    const cases: Array<[string, number, string]> = [
      ['/topics/world?q=*', 400, 'q has no words to search for'],
      ['/topics/nosuch', 404, 'Unknown topic &quot;nosuch&quot;'],
      ['/stories/abc', 404, 'No story &quot;abc&quot;'],
      ['/stories/123456789', 404, 'No story 123456789'],
      ['/nowhere/at/all', 404, 'Not found: /nowhere/at/all'],
      ['/all?since=2026-02-30', 400, 'since must be an ISO 8601 date'],
    ];
    for (const [path, status, message] of cases) {
      const res = await nm.get(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=UTF-8');
      const page = await res.text();
      expect(page, path).toMatch(/^<!doctype html>/);
      expect(page, path).toContain(`<strong>${status}</strong> · ${message}`);
      expect(page, path).toContain(`<a href="${BASE}">Front page</a>`);
      expect(page, path).toContain(`<a href="${BASE}topics/world">World</a>`);
      expect(page, path).toContain(`<link rel="icon" href="${BASE}favicon.svg" type="image/svg+xml">`);
    }
    // A parameter was the trouble: the same page without it is one click away.
    expect(await (await nm.get('/topics/world?q=*')).text()).toContain(`<a href="${BASE}topics/world">Show this page without its parameters</a>`);
  });

  it('keeps JSON for the API, feeds, health, metrics, OPML and file names', async () => {
    for (const path of ['/api/stories/abc', '/api/nothing', '/topics/nosuch.rss', '/topics/world.json?q=*', '/all.xml', '/robots.txt', '/opml/nothing', '/healthz/x']) {
      const res = await nm.get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: string }).error, path).toBeTruthy();
    }
    expect((await nm.get('/healthz')).headers.get('content-type')).toMatch(/^application\/json/);
    expect((await nm.get('/metrics')).status).toBe(200);
  });

  it('serves a favicon as SVG and ICO, cached for a week', async () => {
    const svg = await nm.get('/favicon.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('public, max-age=604800');
    expect(await svg.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const ico = await nm.get('/favicon.ico');
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toBe('image/x-icon');
    expect(ico.headers.get('cache-control')).toBe('public, max-age=604800');
    const bytes = Buffer.from(await ico.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    expect(bytes.subarray(22, 26).toString('latin1')).toBe('\x89PNG');
  });

  it('links a story page back to its topics, with subscribe links', async () => {
    const { stories } = await nm.json<{ stories: Array<{ id: number; title: string }> }>('/api/stories?tag=world');
    const volcano = stories.find((s) => s.title.startsWith('Volcano'))!;
    const page = await (await nm.get(`/stories/${volcano.id}`)).text();
    // Outlet A is tagged world, Outlet B world and science.
    expect(page).toMatch(new RegExp(`<nav class="topics story-topics" aria-label="Topics of this story">In <a href="${BASE}topics/world">World</a><a href="${BASE}topics/science">Science</a><a href="${BASE}all">All topics</a></nav>`));
    expect(page).toContain(`<a href="${BASE}topics/science.rss" type="application/rss+xml">RSS</a>`);
    expect(page).toContain(`<a href="${BASE}all.atom" type="application/atom+xml">Atom</a>`);
    expect(page).toContain(`<link rel="alternate" type="application/rss+xml" title="World (RSS)" href="${BASE}topics/world.rss">`);
  });

  it('has an /all page listing every topic, searchable, with its feeds', async () => {
    const res = await nm.get('/all');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<h1>All topics</h1>');
    for (const title of ['Volcano erupts near Grindavik', 'Parliament approves pension reform', 'Researchers map the genome']) expect(page).toContain(title);
    expect(page).toContain(`<form class="search" method="get" action="${BASE}all">`);
    expect(page).toContain(`<link rel="alternate" type="application/rss+xml" title="All topics (RSS)" href="${BASE}all.rss">`);
    const search = await (await nm.get('/all?q=pension')).text();
    expect(search).toContain('Parliament approves pension reform');
    expect(search).not.toContain('Volcano erupts');
    const paged = await (await nm.get('/all?limit=2')).text();
    expect(paged).toMatch(/<a rel="next" href="\?limit=2&amp;cursor=[\w-]+">Older stories<\/a>/);
  });

  it('gives /opml an ETag and Cache-Control, and a 304 to a client that has it', async () => {
    const res = await nm.get('/opml', { headers: { 'accept-encoding': 'identity' } });
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const again = await nm.get('/opml', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    // Gzipped on the fly, the tag is weak; it still validates.
    const gz = await nm.get('/opml', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('etag')).toBe(`W/${etag}`);
    expect((await nm.get('/opml', { headers: { 'if-none-match': `W/${etag}` } })).status).toBe(304);
    expect((await nm.get('/opml', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    const outlets = await nm.get('/opml/outlets');
    expect(outlets.headers.get('etag')).toBeTruthy();
    expect(outlets.headers.get('cache-control')).toBe('private, no-cache');
  });
});

describe('feed health where feeds fail', () => {
  let outlets: FixtureServer;
  let nm: TestApp;

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    nm = await startTestApp({
      feeds: [
        { url: 'http://feeds.unresolvable.invalid/world.xml', title: 'Gone World', outlet: 'Gone News', tags: ['world'] },
        { url: 'http://feeds.unresolvable.invalid/politics.xml', title: 'Gone Politics', outlet: 'Gone News', tags: ['politics'] },
        { url: 'http://other.unresolvable.invalid/science.xml', title: 'Gone Science', tags: ['science'] },
        { url: 'http://127.0.0.1:9/feed', title: 'Refused', tags: ['world', 'science'] },
      ],
    });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
  });

  it('says on the empty home page how many feeds fail and why, linking the feed status page', async () => {
    const home = await (await nm.get('/')).text();
    expect(home).toContain('<strong>4 of 4 feeds</strong> failed on their last fetch:');
    expect(home).toMatch(/<li><span class="failing">network: host not found \(ENOTFOUND\)<\/span> \(3 feeds\)<\/li>\s*<li><span class="failing">network: connection refused<\/span><\/li>/);
    expect(home).toContain(`<a href="${BASE}feeds">Status of each feed</a>`);
  });

  it('shows each feed on /feeds: title, outlet, topics, last error, next fetch and item count, as /api/feeds has them', async () => {
    const { feeds } = await nm.json<{ feeds: Array<{ title: string; lastError: string; nextFetchAt: string; itemCount: number }> }>('/api/feeds');
    const res = await nm.get('/feeds');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<h1>Feed status</h1>');
    expect(page).toContain('4 feeds, 4 failing.');
    const rows = page.split('<tr>').slice(2);
    expect(rows).toHaveLength(4);
    for (const [i, feed] of feeds.entries()) {
      const row = rows[i]!;
      expect(row).toContain(`<strong>${feed.title}</strong>`);
      expect(row).toContain(`<span class="failing">${feed.lastError}</span>`);
      expect(row).toContain(`<time datetime="${feed.nextFetchAt}">`);
      expect(row).toContain(`<td>${feed.itemCount}</td>`);
    }
    expect(rows[0]).toContain('<span class="meta">Gone News</span>');
    expect(rows[3]).toContain(`<a class="badge" href="${BASE}topics/world">World</a><a class="badge" href="${BASE}topics/science">Science</a>`);
    // Feed URLs may carry credentials: the public page names no URL.
    expect(page).not.toContain('unresolvable.invalid');
  });
});

describe('a port already in use', () => {
  let blocker: Server;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('stops start-up with one line saying to set PORT, and a non-zero exit code', async () => {
    const port = (blocker.address() as { port: number }).port;
    const dir = tempDir();
    const configPath = writeConfig(dir, { feeds: [{ url: 'http://127.0.0.1:9/feed', title: 'Refused', tags: ['world'] }] });
    const { code, stderr } = await runNode('main.js', [], { PORT: String(port), HOST: '127.0.0.1', NEWSMERGE_DATA: dir, NEWSMERGE_CONFIG: configPath, LOG_LEVEL: 'silent' });
    expect(code).toBe(1);
    expect(stderr).toBe(`newsmerge: port ${port} on 127.0.0.1 is already in use (another newsmerge, or another server): set PORT to a free port, e.g. PORT=${port + 1} npm start\n`);
  });
});
