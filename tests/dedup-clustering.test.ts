import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/config-schema.js';
import type { EventSimilarity } from '../src/dedup/similarity.js';
import { isTemplatedFeed } from '../src/dedup/templated-feed.js';
import { ClusterEngine } from '../src/cluster/cluster-engine.js';
import { mergeConvergedStories } from '../src/cluster/merge-stories.js';
import { pruneExpired } from '../src/cluster/retention.js';
import { storeEntries } from '../src/cluster/store-entries.js';
import type { Entry } from '../src/cluster/entry.js';
import { rssFeed, type TestItem } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { openStore, type Store } from '../src/store/store.js';
import { BACKGROUND, SAME_COUNTRY_OTHER_EVENTS, SEED_STORY, type FixtureItem } from './fixtures/dedup/seed-story.js';

const NOW = Date.parse('2022-02-23T12:00:00Z');

interface JsonFeedItem {
  id: string;
  title: string;
  _newsmerge: { sources: Array<{ name: string; url: string | null; title: string }> };
}

function testItem(item: FixtureItem): TestItem {
  return { title: item.title, link: item.link, guid: item.link, date: Date.parse(item.published), description: item.summary };
}

/** Serves each outlet's items as one RSS feed; returns the config entries. */
function serveOutlets(server: FixtureServer, items: readonly FixtureItem[]): Array<{ url: string; title: string; tags: string[] }> {
  const outlets = [...new Set(items.map((i) => i.outlet))];
  return outlets.map((outlet) => {
    const path = `/${encodeURIComponent(outlet)}.rss`;
    server.routes.set(path, { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(items.filter((i) => i.outlet === outlet).map(testItem), { title: outlet }) });
    return { url: server.url(path), title: outlet, tags: ['world'] };
  });
}

function entryOf(item: FixtureItem): Entry {
  return { guid: item.link, link: item.link, title: item.title, summary: item.summary, content: null, author: null, published: Date.parse(item.published), updated: null, categories: [], enclosure: null, image: null };
}

/** The stories of the world feed, as sets of outlet names keyed by the title of one of their items. */
async function storiesOf(nm: TestApp): Promise<JsonFeedItem[]> {
  const feed = await nm.json<{ items: JsonFeedItem[] }>('/topics/world.json?limit=100');
  return feed.items;
}

function storyWith(stories: JsonFeedItem[], title: string): JsonFeedItem {
  const found = stories.filter((s) => s._newsmerge.sources.some((src) => src.title === title));
  expect(found, `one story holds "${title}"`).toHaveLength(1);
  return found[0]!;
}

describe('the near-duplicate stage', () => {
  it('joins wire copies by MinHash even when the same-event stage would not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsmerge-dedup-'));
    const store = openStore(dir);
    try {
      const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] }).dedup;
      const engine = new ClusterEngine(store, dedup.window);
      const never: EventSimilarity = { score: (_item, candidates) => candidates.map(() => -20) };
      const text = 'The central bank raised its main interest rate by half a percentage point to 4.5 percent on Thursday, the largest increase in two decades, and said further rises were likely as inflation stayed high.';
      const outlets = ['One', 'Two', 'Three'];
      store.feeds.sync(outlets.map((o) => ({ url: `https://${o}.example/feed`, outlet: o })), NOW);
      const feeds = store.feeds.all();
      const copy = (i: number, title: string, summary: string): Entry => ({ ...entryOf({ outlet: outlets[i]!, title, summary, link: `https://${outlets[i]}.example/rates`, published: '2022-02-17T10:00:00Z' }) });
      engine.write(() => storeEntries(engine, [
        { feedId: feeds[0]!.id, entries: [copy(0, 'Central bank raises rates by half a point to 4.5%', text)], fetchedAt: NOW, guidMode: 'guid' as const },
        { feedId: feeds[1]!.id, entries: [copy(1, 'Central bank raises rates by half a point to 4.5% - wire', `${text} (wire)`)], fetchedAt: NOW, guidMode: 'guid' as const },
        { feedId: feeds[2]!.id, entries: [copy(2, 'Eurovision entries announced', 'The broadcaster named the acts that will compete in the song contest in May.')], fetchedAt: NOW, guidMode: 'guid' as const },
      ], dedup, NOW, { similarity: never }));
      const stories = store.clustering.entryStories().map((e) => e.storyId);
      expect(stories[0]).toBe(stories[1]);
      expect(stories[2]).not.toBe(stories[0]);
      // With the stage off, the same copies stay apart (the stage, not something else, joined them).
      const off = { ...dedup, nearDuplicate: 0 };
      engine.write(() => storeEntries(engine, [
        { feedId: feeds[0]!.id, entries: [copy(0, 'Bank holds rates at 4.5%, signals a pause', text.replace('raised', 'held'))], fetchedAt: NOW, guidMode: 'guid' as const },
        { feedId: feeds[1]!.id, entries: [copy(1, 'Bank holds rates at 4.5%, signals a pause - wire', `${text.replace('raised', 'held')} (wire)`)], fetchedAt: NOW, guidMode: 'guid' as const },
      ].map((b, i) => ({ ...b, entries: b.entries.map((e) => ({ ...e, guid: `${e.guid}/hold${i}`, link: `${e.link}/hold` })) })), off, NOW, { similarity: never }));
      const held = store.clustering.entryStories().filter((e) => e.entryKey.includes('/hold')).map((e) => e.storyId);
      expect(held).toHaveLength(2);
      expect(held[0]).not.toBe(held[1]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('templated feeds', () => {
  const quake = (i: number, mag: string, km: number, place: string, link = `https://quakes.example/event/${i}`): Entry =>
    entryOf({ outlet: 'Quakes', title: `M ${mag} - ${km} km N of ${place}`, summary: `M ${mag} - ${km} km N of ${place}. Depth ${5 + (i % 7)}.${i % 10} km.`, link, published: `2022-02-17T${String(10 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z` });

  it('are told from newsrooms by how few words their headlines use', () => {
    expect(isTemplatedFeed(Array.from({ length: 20 }, (_, i) => `M ${(2 + i / 10).toFixed(1)} - ${i + 3} km ${['N', 'S'][i % 2]} of ${['Anza', 'Cobb', 'Pahala'][i % 3]}`))).toBe(true);
    expect(isTemplatedFeed(Array.from({ length: 20 }, (_, i) => `${['Lions', 'Bears', 'Hawks'][i % 3]} ${i}, ${['Wolves', 'Sharks'][i % 2]} ${i + 3}`))).toBe(true);
    expect(isTemplatedFeed([...SEED_STORY, ...BACKGROUND].map((i) => i.title))).toBe(false);
    // Too few headlines to tell.
    expect(isTemplatedFeed(Array.from({ length: 5 }, (_, i) => `M 2.${i} - 10 km N of Anza`))).toBe(false);
  });

  it('never merge two distinct events that differ in numbers only, across feeds too; a shared link still merges', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsmerge-dedup-'));
    const store = openStore(dir);
    try {
      const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] }).dedup;
      const engine = new ClusterEngine(store, dedup.window);
      store.feeds.sync([{ url: 'https://usgs.example/feed', outlet: 'Quakes' }, { url: 'https://mirror.example/feed', outlet: 'Quake mirror' }], NOW);
      const [a, b] = store.feeds.all();
      const places = ['Anza', 'Cobb', 'Pahala'];
      const first = Array.from({ length: 24 }, (_, i) => quake(i, `2.${i % 10}`, 10 + (i % 4), places[i % 3]!));
      // The mirror repeats one event under the same link, and carries distinct ones with near-identical headlines
      // (and one exactly the same headline as a distinct event of the first feed).
      const second = [quake(0, '2.0', 10, 'Anza'), ...Array.from({ length: 23 }, (_, i) => quake(100 + i, `2.${(i + 1) % 10}`, 10 + ((i + 1) % 4), places[(i + 1) % 3]!, `https://mirror.example/q/${i}`))];
      engine.write(() => storeEntries(engine, [
        { feedId: a!.id, entries: first, fetchedAt: NOW, guidMode: 'guid' as const },
        { feedId: b!.id, entries: second, fetchedAt: NOW, guidMode: 'guid' as const },
      ], dedup, NOW));
      const byEntry = new Map(store.clustering.entryStories().map((e) => [e.entryKey, e.storyId]));
      const storyOf = (e: Entry) => byEntry.get([...byEntry.keys()].find((k) => k.includes(e.link!))!)!;
      expect(storyOf(first[0]!)).toBe(storyOf(second[0]!));
      expect(new Set(byEntry.values()).size).toBe(first.length + second.length - 1);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the cluster index', () => {
  it('keeps document frequencies in SQLite right as items arrive, are edited and are pruned', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsmerge-dedup-'));
    let store = openStore(dir);
    const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] }).dedup;
    let engine = new ClusterEngine(store, dedup.window);
    try {
      store.feeds.sync([{ url: 'https://one.example/feed', outlet: 'One' }], NOW);
      const feedId = store.feeds.all()[0]!.id;
      const items = [...SEED_STORY, ...BACKGROUND].map((i) => ({ ...entryOf(i) }));
      engine.write(() => storeEntries(engine, [{ feedId, entries: items, fetchedAt: NOW, guidMode: 'guid' as const }], dedup, NOW));
      const df = (term: string) => engine.index.documentFrequencies([term]).get(term);
      expect(engine.index.documentCount()).toBe(items.length);
      expect(df('crimea')).toBe(3);
      expect(df('troop')).toBe(3);
      // An edit drops the old terms and counts the new ones.
      const edited = { ...items[0]!, title: 'Kremlin statement', summary: 'No details were given.' };
      engine.write(() => storeEntries(engine, [{ feedId, entries: [edited, ...items.slice(1)], fetchedAt: NOW + 1, guidMode: 'guid' as const }], dedup, NOW + 1));
      // Reopened: the counts were stored, not only kept in memory.
      store.close();
      store = openStore(dir);
      engine = new ClusterEngine(store, dedup.window);
      expect(df('crimea')).toBe(2);
      const current = (term: string) => engine.write(() => (engine.index.begin(), df(term)));
      expect(df('kremlin')).toBe(1);
      // Retention deletes items; their counts go with them.
      const pruned = store.write(() => store.items.pruneOlderThan(NOW + 10, 0));
      expect(pruned.deleted).toBe(items.length);
      expect(engine.index.documentCount()).toBe(0);
      expect(current('crimea')).toBe(0);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands merge hints out by the time they were noted for, each pair once, and keeps the earliest time of a pair', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsmerge-dedup-'));
    const store = openStore(dir);
    try {
      const ids = store.write(() => [1, 2, 3, 4, 5].map(() => store.stories.create(NOW, NOW)));
      const [a, b, c, d, e] = ids as [number, number, number, number, number];
      store.write(() => {
        store.clustering.addMergeHint(a, b, NOW + 3_000);
        store.clustering.addMergeHint(d, c, NOW + 1_000);
        store.clustering.addMergeHint(b, a, NOW + 9_000);
        store.clustering.addMergeHint(a, e, NOW + 2_000);
        store.clustering.addMergeHint(b, e, NOW + 1_000);
      });
      const first = store.write(() => store.clustering.takeMergeHints(3));
      expect(first).toEqual([
        { storyId: b, otherId: e, notedFor: NOW + 1_000 },
        { storyId: c, otherId: d, notedFor: NOW + 1_000 },
        { storyId: a, otherId: e, notedFor: NOW + 2_000 },
      ]);
      expect(store.write(() => store.clustering.takeMergeHints(3))).toEqual([{ storyId: a, otherId: b, notedFor: NOW + 3_000 }]);
      expect(store.write(() => store.clustering.takeMergeHints(3))).toEqual([]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('same-event clustering through the poller', () => {
  let outlets: FixtureServer;
  let nm: TestApp | null = null;

  beforeEach(async () => {
    outlets = await new FixtureServer().start();
  });

  afterEach(async () => {
    await nm?.close();
    nm = null;
    await outlets.close();
  });

  it('makes one story of the seed event told in three outlets\' words, and keeps other events apart', async () => {
    nm = await startTestApp({ feeds: serveOutlets(outlets, [...SEED_STORY, ...SAME_COUNTRY_OTHER_EVENTS, ...BACKGROUND]), now: NOW });
    await nm.pollAll();
    const stories = await storiesOf(nm);
    const seed = storyWith(stories, SEED_STORY[0]!.title);
    expect(seed._newsmerge.sources.map((s) => s.title).sort()).toEqual(SEED_STORY.map((i) => i.title).sort());
    expect(seed._newsmerge.sources.map((s) => s.name).sort()).toEqual(['AP', 'Reuters', 'The Hill']);
    // Two events about Russia on one day, from two outlets: two stories.
    const [bank, fine] = SAME_COUNTRY_OTHER_EVENTS.map((i) => storyWith(stories, i.title));
    expect(bank!.id).not.toBe(fine!.id);
    expect(bank!._newsmerge.sources).toHaveLength(1);
    expect(fine!._newsmerge.sources).toHaveLength(1);
    expect(stories).toHaveLength(1 + SAME_COUNTRY_OTHER_EVENTS.length + BACKGROUND.length);
  });

  it('makes one story of a wire copy that five outlets carry with small edits', async () => {
    const wire = 'Russian forces begin returning to garrisons after drills, defence ministry says';
    const text = "Russia's defence ministry said on Wednesday that units of the Southern and Western military districts had completed their drills and begun returning to their garrisons by rail and road, and showed tanks crossing the bridge from Crimea.";
    const copies: FixtureItem[] = [
      { outlet: 'Daily Planet', title: wire, summary: text },
      { outlet: 'Capital Post', title: `${wire} - wire report`, summary: `${text} (Reporting by the wire desk)` },
      { outlet: 'Morning Ledger', title: wire.replace('defence', 'defense'), summary: text.replace(/defence/g, 'defense') },
      { outlet: 'Harbour Times', title: `UPDATE: ${wire}`, summary: `MOSCOW - ${text}` },
      { outlet: 'Valley Courier', title: wire, summary: text.replace('on Wednesday ', '') },
    ].map((c, i) => ({ ...c, link: `https://${c.outlet.replace(/\s/g, '').toLowerCase()}.example/world/${i}/russia-garrisons`, published: `2022-02-16T1${i}:05:00Z` }));
    nm = await startTestApp({ feeds: serveOutlets(outlets, [...copies, ...BACKGROUND]), now: NOW });
    await nm.pollAll();
    const stories = await storiesOf(nm);
    const story = storyWith(stories, copies[0]!.title);
    expect(story._newsmerge.sources.map((s) => s.name).sort()).toEqual(copies.map((c) => c.outlet).sort());
    expect(stories).toHaveLength(1 + BACKGROUND.length);
  });

  it('keeps an item edited after it was merged in its story, and keeps every story and id across a restart', async () => {
    const items = [...SEED_STORY, ...BACKGROUND];
    const feeds = serveOutlets(outlets, items);
    nm = await startTestApp({ feeds, now: NOW });
    await nm.pollAll();
    const before = await storiesOf(nm);
    const seedId = storyWith(before, SEED_STORY[0]!.title).id;

    // The Hill rewrites its headline and summary entirely: the item keeps its story.
    const hill = { ...SEED_STORY[0]!, title: 'Live: Kremlin statement on military drills', summary: 'This page is updated as the day goes on.' };
    serveOutlets(outlets, items.map((i) => (i === SEED_STORY[0] ? hill : i)));
    nm.clock.now += 3_600_000;
    expect((await nm.pollAll()).updatedItems).toBe(1);
    const edited = await storiesOf(nm);
    expect(storyWith(edited, hill.title).id).toBe(seedId);
    expect(edited.map((s) => s.id).sort()).toEqual(before.map((s) => s.id).sort());

    // Restart on the same data directory: same stories, same ids; a new outlet's report still joins.
    const { dataDir } = nm;
    await nm.close({ keepData: true });
    const late: FixtureItem = {
      outlet: 'Kyiv Independent',
      title: 'Russian tanks leave Crimea as Moscow says troops are returning to bases',
      summary: "Russia's defence ministry released video on Wednesday of tanks and armoured vehicles leaving Crimea and said more troops were returning to their permanent bases, a pullback NATO said it had not seen.",
      link: 'https://kyivindependent.example/russia-claims-troops-leaving-crimea',
      published: '2022-02-16T19:00:00Z',
    };
    nm = await startTestApp({ feeds: [...feeds, ...serveOutlets(outlets, [late])], now: NOW + 2 * 3_600_000, dataDir });
    expect((await storiesOf(nm)).map((s) => s.id).sort()).toEqual(before.map((s) => s.id).sort());
    await nm.pollAll();
    const after = await storiesOf(nm);
    expect(storyWith(after, late.title).id).toBe(seedId);
    expect(after).toHaveLength(before.length);
  });

  const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] }).dedup;

  /**
   * Background news polled, then the seed items stored one outlet at a time (oldest first, as a first poll
   * could bring them) by a backend that finds every candidate just short of joining: each seed item starts
   * its own story, and the periodic merge is told the stories may be one.
   */
  async function seedInSeparateStories(): Promise<{ app: TestApp; store: Store; engine: ClusterEngine }> {
    const app = await startTestApp({ feeds: serveOutlets(outlets, BACKGROUND), now: NOW });
    nm = app;
    await app.pollAll();
    const { store } = app.app;
    const engine = new ClusterEngine(store, dedup.window);
    // Plausible (a merge hint) but below the join threshold: every seed piece starts a story of its own.
    const unsure: EventSimilarity = { score: (_item, candidates) => candidates.map(() => Math.log(0.7 / 0.3)) };
    // BACKGROUND comes from the same three outlets: their feeds are registered.
    const feedIds = new Map(store.feeds.all().map((f) => [f.outlet, f.id]));
    for (const item of [...SEED_STORY].sort((a, b) => a.published.localeCompare(b.published))) {
      engine.write(() => storeEntries(engine, [{ feedId: feedIds.get(item.outlet)!, entries: [entryOf(item)], fetchedAt: NOW, guidMode: 'guid' as const }], dedup, NOW, { similarity: unsure }));
    }
    return { app, store, engine };
  }

  it('merges stories that have become one into the older id, and redirects the other', async () => {
    const { app, store, engine } = await seedInSeparateStories();
    // A backend that knows: seed items are one event, nothing else is.
    const seedTimes = new Set(SEED_STORY.map((i) => Date.parse(i.published)));
    const isSeed = (item: { publishedAt: number }) => seedTimes.has(item.publishedAt);
    const sure: EventSimilarity = { score: (item, candidates) => candidates.map((c) => (isSeed(item) && isSeed(c) ? Math.log(0.95 / 0.05) : Math.log(0.05 / 0.95))) };
    const storyOf = (item: FixtureItem) => store.clustering.entryStories().find((e) => e.entryKey === `g:${item.link}`)!.storyId;
    const separate = SEED_STORY.map(storyOf);
    expect(new Set(separate).size).toBe(3);

    expect(mergeConvergedStories(engine, dedup, NOW, { similarity: sure })).toEqual({ merged: 2, done: true });
    const oldest = Math.min(...separate);
    for (const item of SEED_STORY) expect(storyOf(item)).toBe(oldest);
    for (const id of separate.filter((id) => id !== oldest)) {
      expect(store.stories.resolve(id)).toBe(oldest);
      const res = await app.get(`/stories/${id}`, { redirect: 'manual' });
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toMatch(new RegExp(`/stories/${oldest}$`));
    }
    expect(mergeConvergedStories(engine, dedup, NOW, { similarity: sure })).toEqual({ merged: 0, done: true });
  });

  it('with the real model at the default thresholds, merges seed pieces into the oldest and leaves other news alone', async () => {
    const { store, engine } = await seedInSeparateStories();
    const entries = () => new Map(store.clustering.entryStories().map((e) => [e.entryKey, e.storyId]));
    const before = entries();
    const seedKeys = SEED_STORY.map((i) => `g:${i.link}`);
    const oldest = Math.min(...seedKeys.map((k) => before.get(k)!));

    const { merged } = mergeConvergedStories(engine, dedup, NOW);
    expect(merged).toBeGreaterThanOrEqual(1);
    const after = entries();
    // Every merge joined seed pieces, into the oldest seed story; no background item moved.
    const seedStories = new Set(seedKeys.map((k) => after.get(k)));
    expect(seedStories.size).toBe(3 - merged);
    expect(seedStories.has(oldest)).toBe(true);
    for (const [key, story] of before) if (!seedKeys.includes(key)) expect(after.get(key)).toBe(story);
  });
});

describe('the in-memory clustering index stays true to the store', () => {
  const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] }).dedup;
  const entry = (link: string, title: string, summary: string): Entry => ({ guid: link, link, title, summary, content: null, author: null, published: NOW - 3_600_000, updated: null, categories: [], enclosure: null, image: null });
  const bank = entry('https://one.example/a', 'Central bank raises interest rates again', 'The central bank raised its key rate on Thursday.');
  const volcano = entry('https://one.example/a', 'Volcano erupts on remote island', 'Lava flowed from the volcano into the sea.');
  /** How many items the window index finds for one term (each call its own write, as ingest does). */
  const found = (engine: ClusterEngine, term: string) =>
    engine.write(() => {
      engine.index.begin();
      return engine.index.candidates(new Map([[term, 1]]), NOW - 1e8, NOW + 1e8, 10).map((c) => c.itemId);
    });

  /** Runs `test` on a new store with one feed, then removes it. */
  function withStore(test: (engine: ClusterEngine, feedId: number, dir: string) => void): void {
    const dir = mkdtempSync(join(tmpdir(), 'newsmerge-index-'));
    const store = openStore(dir);
    try {
      store.feeds.sync([{ url: 'https://one.example/feed', outlet: 'One' }], NOW);
      test(new ClusterEngine(store, dedup.window), store.feeds.all()[0]!.id, dir);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('after an edit rolled back, and after another connection edited an item, finds items by their stored words only', () => {
    withStore((engine, feedId, dir) => {
      const write = (entries: Entry[]) => storeEntries(engine, [{ feedId, entries, fetchedAt: NOW, guidMode: 'guid' }], dedup, NOW);
      engine.write(() => write([bank]));
      const [id] = found(engine, 'bank');
      expect(id).toBeDefined();

      expect(() => engine.write(() => (write([volcano]), assert.fail('rolled back')))).toThrow('rolled back');
      expect(found(engine, 'volcano')).toEqual([]);
      expect(found(engine, 'bank')).toEqual([id]);

      // The same edit by another process (npm run poll beside the server).
      const other = new ClusterEngine(openStore(dir), dedup.window);
      other.write(() => storeEntries(other, [{ feedId, entries: [volcano], fetchedAt: NOW, guidMode: 'guid' }], dedup, NOW));
      other.store.close();
      expect(found(engine, 'volcano')).toEqual([id]);
      expect(found(engine, 'bank')).toEqual([]);
      engine.write(() => write([{ ...volcano, title: 'Volcano erupts again on remote island' }]));
      expect(found(engine, 'volcano')).toEqual([id]);
    });
  });

  it('lets a merge pass reuse the lookups of the pass before only while the index is unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsmerge-index-'));
    const store = openStore(dir);
    try {
      const engine = new ClusterEngine(store, dedup.window);
      store.feeds.sync([{ url: 'https://one.example/feed', outlet: 'One' }, { url: 'https://two.example/feed', outlet: 'Two' }], NOW);
      const [one, two] = store.feeds.all();
      let scored = 0;
      // Plausible (a merge hint) but below the join threshold: each item starts a story, and the pair is noted.
      const unsure: EventSimilarity = { score: (_item, candidates) => ((scored += candidates.length), candidates.map(() => Math.log(0.7 / 0.3))) };
      const write = (feedId: number, entries: Entry[]) => engine.write(() => storeEntries(engine, [{ feedId, entries, fetchedAt: NOW, guidMode: 'guid' }], dedup, NOW, { similarity: unsure }));
      const pass = () => mergeConvergedStories(engine, dedup, NOW, { similarity: unsure });
      write(one!.id, [bank]);
      write(two!.id, [entry('https://two.example/a', 'Central bank lifts interest rates once more', 'The central bank raised its key rate again on Thursday.')]);
      const [a, b] = [...new Set(store.clustering.entryStories().map((e) => e.storyId))];
      expect(b).toBeDefined();
      scored = 0;
      expect(pass().merged).toBe(0);
      const firstPass = scored;
      expect(firstPass).toBeGreaterThan(0);
      // The same pair noted again: answered from the last pass.
      store.write(() => store.clustering.addMergeHint(a!, b!, NOW));
      pass();
      expect(scored).toBe(firstPass);
      // An item indexed since: looked up and scored afresh.
      write(one!.id, [{ ...volcano, link: 'https://one.example/v', guid: 'https://one.example/v' }]);
      const beforePass = scored;
      store.write(() => store.clustering.addMergeHint(a!, b!, NOW));
      pass();
      expect(scored).toBeGreaterThan(beforePass);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forgets items retention deleted, and finds the others still', () => {
    withStore((engine, feedId) => {
      const DAY = 86_400_000;
      // Seen 91 days apart, published an hour apart: both in one clustering window, one past retention.
      const seenAt = (at: number, entries: Entry[]) => engine.write(() => storeEntries(engine, [{ feedId, entries, fetchedAt: at, guidMode: 'guid' }], dedup, at));
      seenAt(NOW - 91 * DAY, [bank]);
      seenAt(NOW, [{ ...volcano, link: 'https://one.example/b', guid: 'https://one.example/b' }]);
      expect(found(engine, 'bank')).toHaveLength(1);

      expect(pruneExpired(engine, 90, 0, NOW).items).toBe(1);
      engine.write(() => engine.index.begin());
      expect(found(engine, 'bank')).toEqual([]);
      expect(found(engine, 'volcano')).toHaveLength(1);
    });
  });
});
