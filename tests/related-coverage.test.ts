import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FEEDS, DEMO_TYPES, renderDemoFeed } from '../scripts/demo-outlets.js';
import { openStore } from '../src/store/store.js';
import { MAX_RELATED, STRONG_RELATED } from '../src/store/story-links.js';
import { validateWithFeedcheck } from './helpers/feed-validators.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp } from './helpers/test-app.js';

const NOW = Date.parse('2022-02-17T12:00:00Z');

interface Related {
  id: string;
  url: string;
  title: string;
  sources: string[];
}

interface ApiStory {
  id: number;
  title: string;
  sources: Array<{ name: string }>;
  related: Related[];
}

/** newsmerge over the demo outlets, polled once; `dedup` overrides the shipped merging settings. */
async function demoInstall(dedup: Record<string, unknown>): Promise<{ nm: TestApp; close: () => Promise<void> }> {
  const outlets = await new FixtureServer().start();
  const host = new URL(outlets.url('/')).host;
  for (const feed of DEMO_FEEDS) {
    outlets.routes.set(`/${feed.file}`, { headers: { 'content-type': DEMO_TYPES[feed.file.split('.').pop()!]! }, body: renderDemoFeed(feed.file, host, NOW) });
  }
  const nm = await startTestApp({
    feeds: DEMO_FEEDS.map((f) => ({ url: outlets.url(`/${f.file}`), title: f.title, tags: ['world'] })),
    topics: { world: { title: 'World' } },
    config: { dedup },
    now: NOW,
  });
  await nm.pollAll();
  return { nm, close: async () => (await nm.close(), await outlets.close()) };
}

const listStories = async (nm: TestApp) => (await nm.json<{ stories: ApiStory[] }>('/api/stories?limit=100')).stories;

describe('the demo with the shipped settings', () => {
  it('shows the two Russian troop reports as one story, and the NATO report as its related coverage', async () => {
    const { nm, close } = await demoInstall({});
    try {
      const list = await listStories(nm);
      const troops = list.filter((s) => /troops/i.test(s.title));
      expect(troops, 'one story for the troop reports').toHaveLength(1);
      const story = await nm.json<{ items: Array<{ outlet: string }> }>(`/api/stories/${troops[0]!.id}`);
      expect(story.items.map((i) => i.outlet)).toEqual(expect.arrayContaining(['Capital Hill Post', 'Global Wire']));
      // The NATO report shares its words with The Daily Planet's troop report only (a lone report's nearest item).
      const nato = list.find((s) => /NATO/.test(s.title))!;
      expect(troops[0]!.related.map((r) => r.title)).toEqual([nato.title]);
      expect(nato.related.map((r) => r.title)).toEqual([troops[0]!.title]);
      const others = list.filter((s) => s !== nato && s !== troops[0]);
      expect(others.flatMap((s) => s.related), 'no other story of the demo is related').toEqual([]);
    } finally {
      await close();
    }
  });
});

// A lower threshold, as an operator may set, links more of the demo's stories, which drives every output.
describe('related coverage (relatedThreshold 0.05)', () => {
  let nm: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ nm, close } = await demoInstall({ relatedThreshold: 0.05 }));
  });

  afterAll(() => close());

  const stories = () => listStories(nm);

  it('lists the NATO report as related coverage of the troop story, and the other way round', async () => {
    const list = await stories();
    const troops = list.find((s) => /troops/i.test(s.title))!;
    const nato = list.find((s) => /NATO/.test(s.title))!;
    expect(troops.related.map((r) => r.title)).toContain(nato.title);
    expect(nato.related.map((r) => r.title)).toContain(troops.title);
  });

  it('links related stories both ways, at most five each, and shows them in every output', async () => {
    const list = await stories();
    const linked = list.filter((s) => s.related.length > 0);
    expect(linked.length, 'the demo has related coverage').toBeGreaterThan(0);
    for (const s of list) {
      expect(s.related.length).toBeLessThanOrEqual(MAX_RELATED);
      for (const r of s.related) {
        const other = list.find((o) => `urn:newsmerge:story:${o.id}` === r.id)!;
        expect(other, r.title).toBeDefined();
        expect(other.related.map((x) => x.id)).toContain(`urn:newsmerge:story:${s.id}`);
        expect(r.url).toBe(`http://news.test/stories/${other.id}`);
        expect(r.sources.length).toBeGreaterThan(0);
      }
    }
    const s = linked[0]!;
    const json = await nm.json<{ items: Array<{ id: string; _newsmerge: { related: Related[] } }> }>('/topics/world.json');
    expect(json.items.find((i) => i.id === `urn:newsmerge:story:${s.id}`)!._newsmerge.related).toEqual(s.related);
    const dir = tempDir();
    for (const format of ['rss', 'atom', 'json'] as const) {
      const body = await (await nm.get(`/topics/world.${format}`)).text();
      if (format !== 'json') {
        expect(body).toContain('Related coverage');
        expect(body).toContain(`/stories/${s.related[0]!.url.split('/').pop()}`);
      }
      const file = join(dir, `world.${format}`);
      writeFileSync(file, body);
      validateWithFeedcheck(file, format, `http://news.test/topics/world.${format}`);
    }
    const page = await (await nm.get(`/stories/${s.id}`)).text();
    expect(page).toContain('Related coverage');
    expect(page).toContain(s.related[0]!.url);
    expect(await (await nm.get('/topics/world')).text()).toMatch(/class="meta related">related: /);
  });

  it('keeps links symmetric and capped, and true when stories merge', () => {
    const store = openStore(tempDir());
    try {
      const ids = Array.from({ length: 8 }, (_, k) => store.write(() => store.stories.create(k, k)));
      // Story 7 gets six strong candidates of rising support: the weakest is dropped on both sides.
      store.write(() => [0.6, 0.65, 0.7, 0.75, 0.8, 0.85].forEach((support, k) => store.links.link(ids[7]!, ids[k]!, support)));
      const rows = () => store.db.prepare('SELECT story_id AS a, other_id AS b, support FROM story_links ORDER BY a, b').all() as Array<{ a: number; b: number; support: number }>;
      expect(rows().filter((r) => r.a === ids[7]).map((r) => r.support)).toEqual([0.65, 0.7, 0.75, 0.8, 0.85]);
      expect(rows().filter((r) => r.b === ids[7]).map((r) => r.support)).toEqual([0.65, 0.7, 0.75, 0.8, 0.85]);
      store.write(() => store.links.link(ids[7]!, ids[6]!, 0.62));
      expect(rows().some((r) => r.a === ids[6] || r.b === ids[6])).toBe(false);
      store.write(() => store.db.exec('DELETE FROM story_links'));

      store.write(() => {
        store.links.link(ids[0]!, ids[1]!, 0.6);
        store.links.link(ids[1]!, ids[2]!, 0.7);
        store.links.storyMoved(ids[1]!, ids[0]!);
      });
      const links = store.db.prepare('SELECT story_id AS a, other_id AS b, support FROM story_links ORDER BY a, b').all();
      expect(links).toEqual([
        { a: ids[0], b: ids[2], support: 0.7 },
        { a: ids[2], b: ids[0], support: 0.7 },
      ]);
    } finally {
      store.close();
    }
  });

  it(`keeps a weak link (below ${STRONG_RELATED}) only as the strongest link of both its stories`, () => {
    const store = openStore(tempDir());
    try {
      const [a, b, c, d, e, f, g, h] = Array.from({ length: 8 }, (_, k) => store.write(() => store.stories.create(k, k)));
      const pairs = () => (store.db.prepare('SELECT story_id AS x, other_id AS y FROM story_links WHERE story_id < other_id ORDER BY x, y').all() as Array<{ x: number; y: number }>).map((r) => `${r.x}-${r.y}`);
      store.write(() => store.links.link(a!, b!, 0.4));
      expect(pairs()).toEqual([`${a}-${b}`]);
      // a already has a stronger weak link: refused.
      store.write(() => store.links.link(a!, c!, 0.35));
      expect(pairs()).toEqual([`${a}-${b}`]);
      // A stronger weak link of a replaces the weaker one.
      store.write(() => store.links.link(a!, d!, 0.45));
      expect(pairs()).toEqual([`${a}-${d}`]);
      // A strong link of d outranks d's weak one, which goes on both sides.
      store.write(() => store.links.link(e!, d!, 0.7));
      expect(pairs()).toEqual([`${d}-${e}`]);
      // Strong links live side by side, up to the cap.
      store.write(() => {
        store.links.link(f!, g!, 0.7);
        store.links.link(f!, h!, 0.65);
      });
      expect(pairs()).toEqual([`${d}-${e}`, `${f}-${g}`, `${f}-${h}`]);
    } finally {
      store.close();
    }
  });
});
