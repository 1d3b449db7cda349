import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import RssParser from 'rss-parser';
import xml2js from 'xml2js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import type { TestApp } from './helpers/test-app.js';
import { FIXTURE_NOW, polledTopicApp, TOPIC_ITEMS } from './helpers/topic-fixtures.js';

interface FeedItem {
  id: string;
  title: string;
  url: string;
  date_published: string;
  _newsmerge: { sources: Array<{ name: string; url: string; title: string; published: string }> };
}
interface JsonFeed {
  version: string;
  feed_url: string;
  home_page_url: string;
  items: FeedItem[];
}

/** A raw GET that keeps the compressed bytes (fetch would decompress them). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

async function metric(nm: TestApp, name: string, labels: string): Promise<number> {
  const text = await (await nm.get('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('topic feeds and queries', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  const titles = (feed: JsonFeed) => feed.items.map((i) => i.title).sort();

  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ nm, outlets, close } = await polledTopicApp());
  });

  afterAll(() => close());

  it('serves each topic, unions of topics and every topic, newest first', async () => {
    const world = await nm.json<JsonFeed>('/topics/world.json');
    expect(world.items.map((i) => i.title)).toEqual([
      'Election commission certifies results in disputed district',
      'Volcano erupts near Grindavik, forcing evacuation of fishing town',
      'Researchers map the genome of the Greenland shark',
      'Storm Eunice brings record winds to southern England',
    ]);
    expect(world.items[1]!._newsmerge.sources.map((s) => s.name)).toEqual(['Outlet A', 'Outlet B']);
    expect(world.items[0]!._newsmerge.sources.map((s) => s.name)).toEqual(['Outlet A', 'Outlet C']);
    const union = await nm.json<JsonFeed>('/topics/world+politics.json');
    expect(union.items).toHaveLength(5);
    expect((await nm.json<JsonFeed>('/all.json')).items.map((i) => i.id)).toEqual(union.items.map((i) => i.id));
    expect(titles(await nm.json<JsonFeed>('/topics/politics.json'))).toEqual([
      'Election commission certifies results in disputed district',
      'Parliament approves pension reform after marathon session',
    ]);
  });

  it('answers with the right content types', async () => {
    for (const [ext, type] of [['rss', 'application/rss+xml; charset=utf-8'], ['atom', 'application/atom+xml; charset=utf-8'], ['json', 'application/feed+json; charset=utf-8']]) {
      expect((await nm.get(`/topics/world.${ext}`)).headers.get('content-type')).toBe(type);
      expect((await nm.get(`/all.${ext}`)).headers.get('content-type')).toBe(type);
    }
  });

  it('filters by limit, min_sources, q, since, source and exclude', async () => {
    expect((await nm.json<JsonFeed>('/topics/world.json?limit=2')).items).toHaveLength(2);
    expect((await nm.get('/topics/world.json?limit=500')).status).toBe(200);
    // One rule for limit: past 500 is a 400, never a silent cap.
    expect((await nm.get('/topics/world.json?limit=100000')).status).toBe(400);
    expect(titles(await nm.json<JsonFeed>('/topics/world.json?min_sources=2'))).toEqual([
      'Election commission certifies results in disputed district',
      'Volcano erupts near Grindavik, forcing evacuation of fishing town',
    ]);
    expect(titles(await nm.json<JsonFeed>('/all.json?q=lava'))).toEqual(['Volcano erupts near Grindavik, forcing evacuation of fishing town']);
    expect(titles(await nm.json<JsonFeed>('/all.json?q=Pension%20REFORM'))).toEqual(['Parliament approves pension reform after marathon session']);
    expect(titles(await nm.json<JsonFeed>(`/all.json?since=${new Date(FIXTURE_NOW - 6 * 3_600_000).toISOString()}`))).toEqual([
      'Election commission certifies results in disputed district',
      'Volcano erupts near Grindavik, forcing evacuation of fishing town',
    ]);
    expect(titles(await nm.json<JsonFeed>('/all.json?source=Outlet%20C'))).toEqual([
      'Election commission certifies results in disputed district',
      'Parliament approves pension reform after marathon session',
    ]);
    expect(titles(await nm.json<JsonFeed>(`/all.json?source=${encodeURIComponent(outlets.url('/B.rss'))}`))).toHaveLength(2);
    expect(titles(await nm.json<JsonFeed>('/all.json?exclude=science'))).not.toContain('Researchers map the genome of the Greenland shark');
    expect((await nm.json<JsonFeed>('/all.json?exclude=science')).items).toHaveLength(4);
  });

  it('turns any search text into quoted terms: FTS syntax never becomes a 500', async () => {
    for (const q of ['"unbalanced', 'lava OR', 'NEAR(a b', 'title:lava', '*', 'a AND (b', "'; DROP TABLE items; --"]) {
      const res = await nm.get(`/all.json?q=${encodeURIComponent(q)}`);
      expect(res.status, q).not.toBe(500);
    }
    expect((await nm.json<JsonFeed>(`/all.json?q=${encodeURIComponent('title:lava')}`)).items).toHaveLength(0);
  });

  it('rejects invalid parameters with a 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/topics/world.rss?limit=abc', 'limit'],
      ['/topics/world.rss?limit=-3', 'limit'],
      ['/topics/world.rss?min_sources=0', 'min_sources'],
      ['/topics/world.rss?since=yesterday', 'since'],
      ['/topics/world.rss?since=2022-13-45', 'since'],
      ['/topics/world.rss?q=%20%21%21%20', 'q'],
      [`/topics/world.rss?q=${'x'.repeat(300)}`, 'q'],
      ['/topics/world.rss?source=Nobody', 'source'],
      ['/topics/world.rss?exclude=sports', 'exclude'],
      ['/topics/world.rss?limit=1&limit=2', 'limit'],
      [`/topics/world.rss?limit=${'9'.repeat(5000)}`, 'limit'],
    ];
    for (const [path, param] of cases) {
      const res = await nm.get(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: string }).error, path).toContain(param);
    }
  });

  it('answers unknown topics and path tricks with a short 404', async () => {
    for (const path of ['/topics/sports.rss', '/topics/world+sports.json', '/topics/..%2F..%2Fetc%2Fpasswd.rss', '/topics/%2e%2e.atom', '/topics/world%00.rss', '/topics/.rss', '/all.xml']) {
      const res = await nm.get(path);
      expect(res.status, path).toBe(404);
    }
    expect(((await (await nm.get('/topics/sports.rss')).json()) as { error: string }).error).toBe('Unknown topic "sports"');
  });

  it('serves the same stories in RSS and Atom as in JSON Feed', async () => {
    const json = await nm.json<JsonFeed>('/topics/world.json');
    const parser = new RssParser();
    const rss = await parser.parseString(await (await nm.get('/topics/world.rss')).text());
    const atom = await parser.parseString(await (await nm.get('/topics/world.atom')).text());
    expect(rss.items.map((i) => i.guid)).toEqual(json.items.map((i) => i.id));
    expect(atom.items.map((i) => (i as { id?: string }).id)).toEqual(json.items.map((i) => i.id));
    expect(rss.items.map((i) => i.link)).toEqual(json.items.map((i) => i.url));
    expect(rss.items.map((i) => Date.parse(i.pubDate!))).toEqual(json.items.map((i) => Date.parse(i.date_published)));
  });
});

describe('feed caching and compression over HTTP', () => {
  let outlets: FixtureServer;
  let nm: TestApp;

  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ nm, outlets, close } = await polledTopicApp());
  });

  afterAll(() => close());

  it('sends strong validators, caching headers, and 304s for If-None-Match and If-Modified-Since', async () => {
    const res = await nm.get('/topics/world.rss', { headers: { 'accept-encoding': 'identity' } });
    const etag = res.headers.get('etag')!;
    const lastModified = res.headers.get('last-modified')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(Date.parse(lastModified)).toBe(FIXTURE_NOW);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    const byTag = await nm.get('/topics/world.rss', { headers: { 'if-none-match': etag, 'accept-encoding': 'identity' } });
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe('');
    expect(byTag.headers.get('etag')).toBe(etag);
    expect((await nm.get('/topics/world.rss', { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    expect((await nm.get('/topics/world.rss', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('answers a repeated request (served from the cache, before the router) exactly like the first', async () => {
    const path = '/topics/science.rss?limit=7';
    const strip = (h: Record<string, string | string[] | undefined>) => Object.fromEntries(Object.entries(h).filter(([k]) => !['date', 'connection', 'keep-alive'].includes(k)));
    for (const encoding of ['identity', 'br', 'gzip']) {
      const first = await rawGet(nm.url(path), { 'accept-encoding': encoding });
      const second = await rawGet(nm.url(path), { 'accept-encoding': encoding });
      expect(second.status).toBe(200);
      expect(strip(second.headers)).toEqual(strip(first.headers));
      expect(second.body.equals(first.body)).toBe(true);
      const notModified = await rawGet(nm.url(path), { 'accept-encoding': encoding, 'if-none-match': String(first.headers.etag) });
      expect(notModified.status).toBe(304);
      expect(notModified.body.length).toBe(0);
    }
    const head = await nm.get(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toMatch(/^"/);
    expect(await head.text()).toBe('');
    const label = 'route="/topics/:file{[^/]+\\\\.(?:rss|atom|json)}",status="200"';
    const served = await metric(nm, 'newsmerge_http_requests_total', label);
    expect(served).toBeGreaterThan(0);
    await rawGet(nm.url(path), {});
    expect(await metric(nm, 'newsmerge_http_requests_total', label)).toBe(served + 1);
  });

  it('compresses with brotli and gzip when asked, once per change', async () => {
    const identity = await rawGet(nm.url('/topics/world.atom'), { 'accept-encoding': 'identity' });
    const rendersBefore = await metric(nm, 'newsmerge_feed_work_total', 'kind="render",format="atom"');
    const br = await rawGet(nm.url('/topics/world.atom'), { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
    const gz = await rawGet(nm.url('/topics/world.atom'), { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(identity.body)).toBe(true);
    expect(gz.headers.etag).not.toBe(identity.headers.etag);
    expect((await rawGet(nm.url('/topics/world.atom'), { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) })).status).toBe(304);
    // A 304 carries the ETag a 200 in the negotiated coding would; a client holding another coding's body
    // (its tag names that coding) gets the body in the coding it now asks for.
    const responses = { gzip: gz, br, identity } as const;
    for (const [encoding, expected] of Object.entries(responses)) {
      for (const [held, sent] of Object.entries(responses)) {
        const again = await rawGet(nm.url('/topics/world.atom'), { 'accept-encoding': encoding, 'if-none-match': String(sent.headers.etag) });
        expect(again.status, `${held} tag, ${encoding} asked`).toBe(held === encoding ? 304 : 200);
        expect(again.headers.etag).toBe(expected.headers.etag);
      }
    }
    expect((await rawGet(nm.url('/topics/world.atom'), { 'accept-encoding': 'gzip', 'if-none-match': `"x", W/${String(gz.headers.etag)}` })).status).toBe(304);
    const compressions = await metric(nm, 'newsmerge_feed_work_total', 'kind="compress",format="atom"');
    for (let i = 0; i < 5; i++) await rawGet(nm.url('/topics/world.atom'), { 'accept-encoding': 'br' });
    expect(await metric(nm, 'newsmerge_feed_work_total', 'kind="compress",format="atom"')).toBe(compressions);
    expect(await metric(nm, 'newsmerge_feed_work_total', 'kind="render",format="atom"')).toBe(rendersBefore);
  });

  it('gzips pages, the API and OPML on the fly, but leaves feed files to their own cache', async () => {
    for (const path of ['/', '/topics/world', '/api/stories?tag=world', '/opml']) {
      const plain = await rawGet(nm.url(path), {});
      const gz = await rawGet(nm.url(path), { 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding'], path).toBe('gzip');
      expect(gz.headers.vary, path).toContain('Accept-Encoding');
      expect(gunzipSync(gz.body).toString(), path).toBe(plain.body.toString());
    }
    // A client that only takes deflate gets the feed as is, under its strong ETag (a query never asked
    // before, so the request goes through the app, not the fast path for cached feeds).
    const deflateOnly = await rawGet(nm.url('/topics/world.atom?limit=7'), { 'accept-encoding': 'deflate' });
    expect(deflateOnly.headers['content-encoding']).toBeUndefined();
    expect(deflateOnly.headers.etag).toMatch(/^"[\w-]+"$/);
  });

  it('changes the ETag when a poll changes the topic, and only then', async () => {
    const world = (await nm.get('/topics/world.json')).headers.get('etag');
    const politics = (await nm.get('/topics/politics.json')).headers.get('etag');
    const renders = await metric(nm, 'newsmerge_feed_work_total', 'kind="render",format="json"');
    const c = [...TOPIC_ITEMS.C, { title: 'Senate confirms new attorney general in close vote', link: 'https://c.example/ag', guid: 'c3', date: FIXTURE_NOW - 1_000 }];
    outlets.routes.set('/C.rss', { body: rssFeed(c) });
    nm.clock.now += 3_600_000;
    await nm.pollAll();
    expect((await nm.get('/topics/world.json')).headers.get('etag')).toBe(world);
    const changed = await nm.get('/topics/politics.json', { headers: { 'if-none-match': politics! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(politics);
    expect(await metric(nm, 'newsmerge_feed_work_total', 'kind="render",format="json"')).toBe(renders + 1);
  });
});

describe('JSON API, OPML and pages', () => {
  let nm: TestApp;
  let outlets: FixtureServer;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ nm, outlets, close } = await polledTopicApp({ baseUrl: 'https://proxy.example/news/' }));
  });

  afterAll(() => close());

  it('lists topics with their feed links under the base URL prefix', async () => {
    const { topics } = await nm.json<{ topics: Array<{ tag: string; title: string; feeds: Record<string, string>; outlets: string[] }> }>('/api/topics');
    expect(topics.map((t) => t.tag)).toEqual(['world', 'politics', 'science']);
    expect(topics[0]!.feeds).toEqual({
      rss: 'https://proxy.example/news/topics/world.rss',
      atom: 'https://proxy.example/news/topics/world.atom',
      json: 'https://proxy.example/news/topics/world.json',
      html: 'https://proxy.example/news/topics/world',
    });
    expect(topics[0]!.outlets).toEqual(['Outlet A', 'Outlet B']);
  });

  it('uses the base URL, path prefix included, for self links and story links', async () => {
    const feed = await nm.json<JsonFeed>('/topics/world.json?limit=2');
    expect(feed.feed_url).toBe('https://proxy.example/news/topics/world.json?limit=2');
    expect(feed.items[0]!.url).toMatch(/^https:\/\/proxy\.example\/news\/stories\/\d+$/);
    const rss = await (await nm.get('/topics/world.rss')).text();
    expect(rss).toContain('<atom:link href="https://proxy.example/news/topics/world.rss" rel="self" type="application/rss+xml"/>');
  });

  it('pages through stories with a cursor that stays stable when new stories arrive', async () => {
    type Page = { stories: Array<{ id: number; title: string }>; nextCursor: string | null };
    const first = await nm.json<Page>('/api/stories?tag=world&limit=2');
    expect(first.stories).toHaveLength(2);
    const second = await nm.json<Page>(`/api/stories?tag=world&limit=2&cursor=${first.nextCursor}`);
    expect(second.stories).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    outlets.routes.set('/A.rss', { body: rssFeed([...TOPIC_ITEMS.A, { title: 'Brand new bridge opens across the fjord', link: 'https://a.example/bridge', guid: 'a9', date: FIXTURE_NOW }]) });
    await nm.pollAll();
    const again = await nm.json<Page>(`/api/stories?tag=world&limit=2&cursor=${first.nextCursor}`);
    expect(again.stories.map((s) => s.id)).toEqual(second.stories.map((s) => s.id));
    expect((await nm.json<Page>('/api/stories?tag=world&limit=10')).stories[0]!.title).toBe('Brand new bridge opens across the fjord');
    expect((await nm.get('/api/stories?cursor=bogus')).status).toBe(400);
    const unknownTag = await nm.get('/api/stories?tag=nope');
    expect(unknownTag.status).toBe(400);
    expect(((await unknownTag.json()) as { error: string }).error).toBe('tag names an unknown topic "nope"');
  });

  it('returns one story with every member item, and 404 for unknown ids', async () => {
    const { stories } = await nm.json<{ stories: Array<{ id: number; title: string }> }>('/api/stories?min_sources=2&tag=world');
    const volcano = stories.find((s) => s.title.startsWith('Volcano'))!;
    const detail = await nm.json<{ id: number; sourceCount: number; items: Array<{ outlet: string; title: string; link: string }> }>(`/api/stories/${volcano.id}`);
    expect(detail.sourceCount).toBe(2);
    expect(detail.items.map((i) => [i.outlet, i.title, i.link])).toEqual([
      ['Outlet A', 'Volcano erupts near Grindavik, forcing evacuation of fishing town', 'https://a.example/iceland-volcano'],
      ['Outlet B', 'Icelandic town evacuated as lava flows toward harbour', 'https://www.a.example/iceland-volcano/'],
    ]);
    expect((await nm.get('/api/stories/999')).status).toBe(404);
    expect((await nm.get('/api/stories/abc')).status).toBe(404);
  });

  it('redirects a merged-away story id to the story that absorbed it (301)', async () => {
    const { stories } = await nm.json<{ stories: Array<{ id: number; title: string }> }>('/api/stories?limit=50');
    const storm = stories.find((s) => s.title.startsWith('Storm Eunice'))!;
    const shark = stories.find((s) => s.title.startsWith('Researchers map'))!;
    // One item sharing the storm's link and the shark's headline proves them one story.
    outlets.routes.set('/C.rss', { body: rssFeed([...TOPIC_ITEMS.C, { title: 'Researchers map the genome of the Greenland shark', link: 'https://a.example/storm-eunice', guid: 'c9', date: FIXTURE_NOW - 25 * 3_600_000 }]) });
    await nm.pollAll();
    const [survivor, absorbed] = [storm.id, shark.id].sort((a, b) => a - b);
    const res = await nm.get(`/stories/${absorbed}`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`https://proxy.example/news/stories/${survivor}`);
    expect((await nm.get(`/api/stories/${absorbed}`, { redirect: 'manual' })).headers.get('location')).toBe(`https://proxy.example/news/api/stories/${survivor}`);
    const ids = (await nm.json<JsonFeed>('/all.json')).items.map((i) => i.id);
    expect(ids).toContain(`urn:newsmerge:story:${survivor}`);
    expect(ids).not.toContain(`urn:newsmerge:story:${absorbed}`);
  });

  it('exports every topic feed as OPML 2.0', async () => {
    const res = await nm.get('/opml');
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    const doc = (await xml2js.parseStringPromise(await res.text())) as { opml: { $: { version: string }; body: Array<{ outline: Array<{ $: Record<string, string> }> }> } };
    expect(doc.opml.$.version).toBe('2.0');
    const outlines = doc.opml.body[0]!.outline.map((o) => o.$);
    expect(outlines.map((o) => o.xmlUrl)).toEqual([
      'https://proxy.example/news/topics/world.rss',
      'https://proxy.example/news/topics/politics.rss',
      'https://proxy.example/news/topics/science.rss',
      'https://proxy.example/news/all.rss',
    ]);
    expect(outlines[0]).toMatchObject({ type: 'rss', text: 'World', title: 'World' });
  });

  it('renders the home, topic and story pages with feed autodiscovery', async () => {
    const home = await (await nm.get('/')).text();
    expect(home).toContain('<link rel="alternate" type="application/rss+xml" title="World (RSS)" href="https://proxy.example/news/topics/world.rss">');
    expect(home).toContain('<link rel="alternate" type="application/feed+json"');
    expect(home).toContain('Volcano erupts near Grindavik');
    expect(home).toContain('name="viewport"');
    const topic = await (await nm.get('/topics/world')).text();
    expect(topic).toContain('<link rel="alternate" type="application/atom+xml" title="World (Atom)" href="https://proxy.example/news/topics/world.atom">');
    expect(topic).toContain('2 outlets');
    expect(topic).toContain('class="badge" href="https://a.example/iceland-volcano"');
    const search = await (await nm.get('/topics/world?q=lava')).text();
    expect(search).toContain('Volcano erupts');
    expect(search).not.toContain('Storm Eunice');
    const { stories } = await nm.json<{ stories: Array<{ id: number; title: string }> }>('/api/stories?tag=world');
    const volcano = stories.find((s) => s.title.startsWith('Volcano'))!;
    const story = await (await nm.get(`/stories/${volcano.id}`)).text();
    expect(story).toContain('Covered by 2 outlets');
    expect(story).toContain('<a href="https://www.a.example/iceland-volcano/" rel="noopener noreferrer">Icelandic town evacuated as lava flows toward harbour</a>');
    expect((await nm.get('/stories/123456789')).status).toBe(404);
    expect((await nm.get('/topics/sports')).status).toBe(404);
  });
});
