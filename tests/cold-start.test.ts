import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/config-schema.js';
import type { Entry } from '../src/cluster/entry.js';
import { mergeConvergedStories } from '../src/cluster/merge-stories.js';
import { storeEntries, type FeedEntries } from '../src/cluster/store-entries.js';
import { profileItem, profileTerms } from '../src/dedup/item-profile.js';
import { DEFAULT_REFERENCE_TERMS, REFERENCE_DOCUMENTS, referenceDocuments, TermStatistics } from '../src/dedup/term-statistics.js';
import { terms } from '../src/dedup/tokenize.js';
import { parseFeed } from '../src/ingest/parse-feed.js';
import { ClusterEngine } from '../src/cluster/cluster-engine.js';
import { openStore, type Store } from '../src/store/store.js';
import { SAME_COUNTRY_OTHER_EVENTS, SEED_STORY, type FixtureItem } from './fixtures/dedup/seed-story.js';

const NOW = Date.parse('2022-02-16T18:00:00Z');
const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] }).dedup;
const DEMO = join(import.meta.dirname, '../demo/outlets');
const DEMO_FEEDS = [
  { file: 'global-wire.xml', outlet: 'Global Wire' },
  { file: 'daily-planet.xml', outlet: 'The Daily Planet' },
  { file: 'capital-hill-post.xml', outlet: 'Capital Hill Post' },
  { file: 'morning-ledger.json', outlet: 'The Morning Ledger' },
  { file: 'science-weekly.rdf', outlet: 'Science Weekly' },
];
const SEED = join(import.meta.dirname, 'fixtures/seed');
const SEED_FEEDS = [
  { file: 'wire.rss.xml', outlet: 'Wire Service' },
  { file: 'daily.atom.xml', outlet: 'The Daily Planet' },
  { file: 'capital.rss.xml', outlet: 'Capital Hill Post' },
];
const TROOPS_RETURNING = 'Russia says it is returning more troops to bases';
const TROOPS_PULLED_BACK = 'Russia pulls back some troops, releases footage of tanks leaving Crimea';

/** A demo outlet's feed as scripts/demo.ts serves it: host filled in, dates relative to NOW. */
function renderDemo(file: string): string {
  return readFileSync(join(DEMO, file), 'utf8')
    .replaceAll('{{host}}', 'demo.example')
    .replace(/\{\{(rfc822|iso):([^}]+)\}\}/g, (_, kind: string, spec: string) => {
      let offset = 0;
      for (const [, n, unit] of spec.matchAll(/(\d+)([hm])/g)) offset += Number(n) * (unit === 'h' ? 3_600_000 : 60_000);
      const date = new Date(NOW + (spec.startsWith('-') ? -offset : offset));
      return kind === 'iso' ? date.toISOString() : date.toUTCString();
    });
}

function withStore<T>(run: (engine: ClusterEngine) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'newsmerge-cold-'));
  const store = openStore(dir);
  try {
    return run(new ClusterEngine(store, dedup.window));
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Registers outlets' feeds; returns each outlet's feed id. */
function registerOutlets(store: Store, outlets: readonly string[]): Map<string, number> {
  store.feeds.sync(outlets.map((outlet, i) => ({ url: `https://feed${i}.example/rss`, outlet })), NOW);
  return new Map(store.feeds.all().map((f, i) => [outlets[i]!, f.id]));
}

/** Stores batches as polls would, then runs the periodic merge to the end. */
function ingest(engine: ClusterEngine, batches: ReadonlyArray<readonly FeedEntries[]>, now = NOW): void {
  for (const batch of batches) engine.write(() => storeEntries(engine, batch, dedup, now));
  while (!mergeConvergedStories(engine, dedup, now).done);
}

function entryOf(item: FixtureItem, link = item.link): Entry {
  return { guid: link, link, title: item.title, summary: item.summary, content: null, author: null, published: Date.parse(item.published), updated: null, categories: [], enclosure: null, image: null };
}

/** A small deterministic PRNG (mulberry32): the synthetic background must be the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Other news, synthesized: each item's words drawn by how many documents of the shipped reference use them,
 * so an install holding thousands of them has its own counts of common and rare words, and no raw text
 * of any corpus is needed. The Russian troop story's words are left out (the background is other news).
 */
function syntheticBackground(count: number, endsAt: number): FixtureItem[] {
  const seedTerms = new Set(SEED_STORY.flatMap((i) => profileTerms(profileItem(i.title, i.summary))));
  const vocabulary = [...DEFAULT_REFERENCE_TERMS.df].filter(([term]) => !seedTerms.has(term) && /^\p{L}{3,}$/u.test(term));
  const cumulative: number[] = [];
  let total = 0;
  for (const [, df] of vocabulary) cumulative.push((total += df));
  const next = random(17);
  const draw = (): string => {
    const target = next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return vocabulary[lo]![0];
  };
  return Array.from({ length: count }, (_, i) => ({
    outlet: ['Background One', 'Background Two', 'Background Three'][i % 3]!,
    title: Array.from({ length: 7 }, draw).join(' '),
    summary: `${Array.from({ length: 22 }, draw).join(' ')}.`,
    link: `https://background.example/item/${i}`,
    // Spread over the two weeks before, so the latest ones are candidates of the seed items too.
    published: new Date(endsAt - ((count - i) / count) * 14 * 86_400_000).toISOString(),
  }));
}

describe('cold start: reference term statistics', () => {
  it('weigh a new install\'s terms like an established one, the reference fading as the install grows', () => {
    // Without a reference, a dozen items say nothing: "officials" weighs as much as "Crimea".
    const [officials] = terms('officials');
    const [crimea] = terms('Crimea');
    const alone = new TermStatistics(12, [], null);
    expect(alone.idf(officials!)).toBe(alone.idf(crimea!));
    const blended = new TermStatistics(12);
    expect(blended.idf(officials!)).toBeLessThan(blended.idf(crimea!) - 1);
    // The install's own counts stay what df() and documentCount report, and the reference's share falls.
    expect(blended.df(officials!)).toBe(0);
    expect(blended.documentCount).toBe(12);
    expect(referenceDocuments(0)).toBe(REFERENCE_DOCUMENTS);
    expect(referenceDocuments(REFERENCE_DOCUMENTS)).toBe(REFERENCE_DOCUMENTS / 2);
    const share = (n: number) => referenceDocuments(n) / (n + referenceDocuments(n));
    expect(share(5 * REFERENCE_DOCUMENTS)).toBeLessThan(0.05);
    // The blended collection never shrinks as the install grows.
    for (let n = 0; n < 20_000; n += 500) expect(n + 500 + referenceDocuments(n + 500)).toBeGreaterThan(n + referenceDocuments(n));
  });

  it('put the demo\'s two Russian troop reports of different outlets in one story, with no background', async () => {
    const parsed = await Promise.all(
      DEMO_FEEDS.map(async (f) => ({ ...f, entries: (await parseFeed(renderDemo(f.file), { feedUrl: `http://demo.example/outlets/${f.file}`, fetchedAt: NOW, maxItems: 100 })).entries })),
    );
    // A first poll, all outlets in one batch; and outlet by outlet, in both orders.
    const orders = [[parsed], parsed.map((p) => [p]), [...parsed].reverse().map((p) => [p])];
    for (const order of orders) {
      withStore((engine) => {
        const feedIds = registerOutlets(engine.store, DEMO_FEEDS.map((f) => f.outlet));
        ingest(engine, order.map((batch) => batch.map((p) => ({ feedId: feedIds.get(p.outlet)!, entries: p.entries, fetchedAt: NOW, guidMode: 'guid' as const }))));
        const stories = storyOf(engine.store, parsed);
        expect(stories.get(TROOPS_RETURNING)).toBeDefined();
        expect(stories.get(TROOPS_RETURNING)).toBe(stories.get(TROOPS_PULLED_BACK));
        // Other news stays apart from it.
        for (const title of ['Central bank raises key interest rate by half a point to fight inflation', 'Floods cut off villages in northern Peru after days of heavy rain', 'Senate passes stopgap funding bill, averting a government shutdown']) {
          expect(stories.get(title)).not.toBe(stories.get(TROOPS_RETURNING));
        }
      });
    }
  }, 30_000);

  it('give a store of 10 items and one of 5,000 the same decisions on the seed pairs', async () => {
    const parse = async (dir: string, feeds: ReadonlyArray<{ file: string; outlet: string }>, render: (file: string) => string) =>
      (await Promise.all(feeds.map(async (f) => ({ ...f, entries: (await parseFeed(render(f.file), { feedUrl: `https://${f.outlet.replace(/\W/g, '')}.example/${f.file}`, fetchedAt: NOW, maxItems: 100 })).entries }))))
        .flatMap((f) => f.entries.map((entry) => ({ outlet: f.outlet, entry })));
    // The seed feeds (three outlets, nine items: four reports of the troop pullback in other words, NATO's
    // doubt, other news) and one hard negative: another Russian story of those days.
    const other = SAME_COUNTRY_OTHER_EVENTS[0]!;
    const seed = [...(await parse(SEED, SEED_FEEDS, (file) => readFileSync(join(SEED, file), 'utf8'))), { outlet: other.outlet, entry: entryOf(other) }];
    // The demo's three outlets that cover the pullback, less the light rail item: the pair an empty install split.
    const demo = (await parse(DEMO, DEMO_FEEDS.slice(0, 3), renderDemo)).filter((i) => !i.entry.title.startsWith('City council'));
    for (const fixtures of [seed, demo]) {
      expect(fixtures).toHaveLength(10);
      const seedStart = Math.min(...fixtures.map((i) => i.entry.published!));
      const small = sameStoryPairs(fixtures, []);
      const large = sameStoryPairs(fixtures, syntheticBackground(4_990, seedStart - 3_600_000));
      expect(large).toEqual(small);
      // Among them, reports of the pullback in other outlets' words.
      expect(small.length).toBeGreaterThan(0);
    }
    expect(sameStoryPairs(demo, [])).toContain(`${TROOPS_PULLED_BACK} + ${TROOPS_RETURNING}`);
  }, 120_000);
});

/**
 * Stores a background first (in polls, as an established install got it), then the fixtures in a first
 * poll outlet by outlet (the order that splits most), and names the pairs of fixtures that share a story.
 */
function sameStoryPairs(fixtures: ReadonlyArray<{ outlet: string; entry: Entry }>, background: readonly FixtureItem[]): string[] {
  return withStore((engine) => {
    const outlets = [...new Set([...fixtures, ...background].map((i) => i.outlet))];
    const feedIds = registerOutlets(engine.store, outlets);
    const batchOf = (items: ReadonlyArray<{ outlet: string; entry: Entry }>, at: number): FeedEntries[] =>
      outlets.flatMap((outlet) => {
        const entries = items.filter((i) => i.outlet === outlet).map((i) => i.entry);
        return entries.length > 0 ? [{ feedId: feedIds.get(outlet)!, entries, fetchedAt: at, guidMode: 'guid' as const }] : [];
      });
    for (let at = 0; at < background.length; at += 500) {
      const items = background.slice(at, at + 500);
      const until = Date.parse(items[items.length - 1]!.published);
      ingest(engine, [batchOf(items.map((i) => ({ outlet: i.outlet, entry: entryOf(i) })), until)], until);
    }
    expect(engine.index.documentCount()).toBe(background.length);
    for (const outlet of outlets) ingest(engine, [batchOf(fixtures.filter((i) => i.outlet === outlet), NOW)]);
    expect(engine.index.documentCount()).toBe(background.length + fixtures.length);
    const stories = storyOf(engine.store, [{ entries: fixtures.map((i) => i.entry) }]);
    const titles = fixtures.map((i) => i.entry.title).sort();
    const pairs: string[] = [];
    for (let a = 0; a < titles.length; a++) {
      for (let b = a + 1; b < titles.length; b++) if (stories.get(titles[a]!) === stories.get(titles[b]!)) pairs.push(`${titles[a]} + ${titles[b]}`);
    }
    return pairs;
  });
}

/** The story of each item of these entries, by headline. */
function storyOf(store: Store, feeds: ReadonlyArray<{ entries: readonly Entry[] }>): Map<string, number> {
  const byKey = new Map(store.clustering.entryStories().map((e) => [e.entryKey, e.storyId]));
  const out = new Map<string, number>();
  for (const { entries } of feeds) {
    for (const entry of entries) {
      const key = entry.guid && byKey.has(`g:${entry.guid}`) ? `g:${entry.guid}` : [...byKey.keys()].find((k) => k.includes(entry.link!));
      if (key) out.set(entry.title, byKey.get(key)!);
    }
  }
  return out;
}
