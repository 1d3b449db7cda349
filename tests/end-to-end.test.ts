import { join } from 'node:path';
import RssParser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/seed');

interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  date_published: string;
  _newsmerge: { sources: Array<{ name: string; url: string | null; title: string; published: string }> };
}

describe('end to end: three outlets around the seed story', () => {
  let outlets: FixtureServer;
  let nm: TestApp;

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    outlets.file('/wire.rss', join(FIXTURES, 'wire.rss.xml'), 'application/rss+xml');
    outlets.file('/daily.atom', join(FIXTURES, 'daily.atom.xml'), 'application/atom+xml');
    outlets.file('/capital.rss', join(FIXTURES, 'capital.rss.xml'), 'application/rss+xml; charset=utf-8');
    nm = await startTestApp({
      feeds: [
        { url: outlets.url('/wire.rss'), title: 'Wire Service', tags: ['world'] },
        { url: outlets.url('/daily.atom'), title: 'The Daily Planet', tags: ['world'] },
        // topicMode "all": every item of the feed in both topics (item-level topics: tests/item-topics.test.ts).
        { url: outlets.url('/capital.rss'), title: 'Capital Hill Post', tags: ['world', 'politics'], topicMode: 'all' },
      ],
    });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
  });

  it('serves one JSON Feed entry per story, naming every outlet that carried it', async () => {
    const res = await nm.get('/topics/world.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const feed = (await res.json()) as { version: string; items: JsonFeedItem[] };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    // 9 items: the wire report in 3 forms (one story), a shared headline (one story), 4 singles.
    expect(feed.items).toHaveLength(6);
    const byOutlets = (names: string[]) => feed.items.filter((i) => JSON.stringify(i._newsmerge.sources.map((s) => s.name).sort()) === JSON.stringify(names.sort()));
    const wire = byOutlets(['Wire Service', 'The Daily Planet', 'Capital Hill Post']);
    expect(wire).toHaveLength(1);
    expect(wire[0]!.content_html).toContain('Covered by 3 outlets');
    for (const source of wire[0]!._newsmerge.sources) expect(source.url).not.toMatch(/utm_|fbclid|#top/);
    const shared = byOutlets(['Wire Service', 'The Daily Planet']);
    expect(shared).toHaveLength(1);
    expect(shared[0]!.title.toLowerCase()).toContain('nato sees no sign');
    // Same event, different wording: merged by the clustering stage, not by exact keys.
    const hill = feed.items.find((i) => i.title === 'Russia says it is returning more troops to bases');
    expect(hill?._newsmerge.sources.map((s) => s.name)).toEqual(['Capital Hill Post']);
  });

  it('orders stories newest first and never serves unsafe HTML', async () => {
    const feed = (await nm.json('/topics/world.json')) as { items: JsonFeedItem[] };
    const dates = feed.items.map((i) => Date.parse(i.date_published));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    for (const item of feed.items) expect(item.content_html).not.toMatch(/<script|onclick|javascript:/i);
  });

  it('keeps story ids stable across polls and serves the same stories as RSS and Atom', async () => {
    const before = (await nm.json('/topics/world.json')) as { items: JsonFeedItem[] };
    nm.clock.now += 3_600_000;
    await nm.pollAll();
    const after = (await nm.json('/topics/world.json')) as { items: JsonFeedItem[] };
    expect(after.items.map((i) => i.id)).toEqual(before.items.map((i) => i.id));
    for (const id of after.items.map((i) => i.id)) expect(id).toMatch(/^urn:newsmerge:story:\d+$/);

    const parser = new RssParser();
    const rss = await parser.parseString(await (await nm.get('/topics/world.rss')).text());
    const atom = await parser.parseString(await (await nm.get('/topics/world.atom')).text());
    const ids = after.items.map((i) => i.id);
    expect(rss.items.map((i) => i.guid)).toEqual(ids);
    expect(atom.items.map((i) => (i as { id?: string }).id)).toEqual(ids);
    expect(rss.items.map((i) => i.title)).toEqual(after.items.map((i) => i.title));
  });

  it('filters by tag: politics holds only the stories of the feed tagged politics', async () => {
    const feed = (await nm.json('/topics/politics.json')) as { items: JsonFeedItem[] };
    expect(feed.items.length).toBe(3);
    for (const item of feed.items) expect(item._newsmerge.sources.map((s) => s.name)).toContain('Capital Hill Post');
  });
});
