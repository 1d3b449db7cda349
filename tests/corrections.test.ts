import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctionExamples } from '../scripts/correction-examples.js';
import { ClusterEngine } from '../src/cluster/cluster-engine.js';
import { tryCorrection } from '../src/cluster/corrections.js';
import { mergeConvergedStories } from '../src/cluster/merge-stories.js';
import { storeEntries } from '../src/cluster/store-entries.js';
import type { Entry } from '../src/cluster/entry.js';
import { configSchema } from '../src/config/config-schema.js';
import { openStore } from '../src/store/store.js';
import { itemSeries, rssFeed, type TestItem } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { runNode } from './helpers/run-process.js';
import { startTestApp, tempDir, type TestApp } from './helpers/test-app.js';

const TOKEN = 'curator-token-0123456789abcdef';
const T0 = Date.parse('2022-02-17T12:00:00Z');
const HOUR = 3_600_000;

interface StoryJson {
  id: number;
  itemCount: number;
  items: Array<{ id: number; outlet: string; link: string }>;
  corrections: Array<{ kind: string; at: string; story: number; into?: number; from?: number; newStory?: number; items?: number[] }>;
}

/** Made-up, unrelated items (no two look alike), each with its own link, one per outlet and prefix. */
function items(prefix: string, n: number, at = T0): TestItem[] {
  return itemSeries(prefix, n, at, HOUR);
}

describe('curator corrections through the admin API', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  const dataDir = tempDir();
  const feeds = () => [
    { url: outlets.url('/a'), title: 'Outlet A', tags: ['world'] },
    { url: outlets.url('/b'), title: 'Outlet B', tags: ['world'] },
    { url: outlets.url('/c'), title: 'Outlet C', tags: ['world'] },
  ];
  const start = () => startTestApp({ feeds: feeds(), dataDir, now: T0, env: { NEWSMERGE_ADMIN_TOKEN: TOKEN } });
  const post = (path: string, body: unknown, token: string | null = TOKEN) =>
    nm.get(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const story = (id: number) => nm.json<StoryJson>(`/api/stories/${id}`);
  /** The story an item of a feed (by link) is in now. */
  const storyOfLink = async (link: string) => {
    const all = await nm.json<{ stories: Array<{ id: number; sources: Array<{ url: string }> }> }>('/api/stories?limit=100');
    const ids = all.stories.map((s) => s.id);
    for (const id of ids) if ((await story(id)).items.some((i) => i.link === link)) return id;
    throw new Error(`no story holds ${link}`);
  };

  // Outlet A and B publish the same article link (one story by the exact stage); the rest are unrelated.
  const a = items('alpha', 3);
  const b = items('beta', 3);
  b[0] = { ...b[0]!, link: a[0]!.link };

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    outlets.routes.set('/a', { body: rssFeed(a) });
    outlets.routes.set('/b', { body: rssFeed(b) });
    outlets.routes.set('/c', { body: rssFeed([]) });
    nm = await start();
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
  });

  it('needs the admin token and names what is wrong with a request', async () => {
    const shared = await storyOfLink(a[0]!.link!);
    expect((await post(`/api/stories/${shared}/merge`, { into: 1 }, null)).status).toBe(401);
    expect((await post(`/api/stories/${shared}/merge`, { into: 1 }, 'wrong-token-wrong-token')).status).toBe(401);
    const cases: Array<[string, unknown, number, RegExp]> = [
      [`/api/stories/${shared}/merge`, 'not json', 400, /JSON object/],
      [`/api/stories/${shared}/merge`, {}, 400, /^into/],
      [`/api/stories/${shared}/merge`, { into: 'x' }, 400, /^into/],
      [`/api/stories/${shared}/merge`, { into: 99_999 }, 404, /^into: no story 99999/],
      [`/api/stories/${shared}/merge`, { into: shared }, 400, /already one story/],
      [`/api/stories/${shared}/merge`, { into: 1, extra: true }, 400, /extra/],
      [`/api/stories/99999/merge`, { into: shared }, 404, /^story: no story 99999/],
      [`/api/stories/${shared}/split`, { items: [] }, 400, /^items/],
      [`/api/stories/${shared}/split`, { items: [123_456] }, 400, /^items: item 123456 is not in story/],
      [`/api/stories/${shared}/apart`, { from: shared }, 400, /^from: .*split it instead/],
    ];
    for (const [path, body, status, message] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    const whole = (await story(shared)).items.map((i) => i.id);
    const all = await post(`/api/stories/${shared}/split`, { items: whole });
    expect(all.status).toBe(400);
    expect(((await all.json()) as { error: string }).error).toMatch(/every item/);
  });

  it('split: the items leave for a new story and never rejoin it, even when a later item links both', async () => {
    const shared = await storyOfLink(a[0]!.link!);
    const before = await story(shared);
    expect(before.items.map((i) => i.outlet).sort()).toEqual(['Outlet A', 'Outlet B']);
    const moved = before.items.find((i) => i.outlet === 'Outlet B')!.id;
    const res = await post(`/api/stories/${shared}/split`, { items: [moved] });
    expect(res.status).toBe(201);
    const { story: created } = (await res.json()) as { story: number };
    expect(created).not.toBe(shared);
    expect((await story(created)).items.map((i) => i.id)).toEqual([moved]);
    expect((await story(shared)).items.map((i) => i.outlet)).toEqual(['Outlet A']);
    // Outlet C now publishes the very same link: the exact stage finds both stories and may not rejoin them.
    outlets.routes.set('/c', { body: rssFeed([{ ...items('gamma', 1)[0]!, link: a[0]!.link }]) });
    await nm.pollAll();
    expect((await story(shared)).items.map((i) => i.outlet).sort()).toEqual(['Outlet A', 'Outlet C']);
    expect((await story(created)).items.map((i) => i.id)).toEqual([moved]);
    const corrections = (await story(created)).corrections;
    expect(corrections).toEqual([expect.objectContaining({ kind: 'split', story: shared, newStory: created, items: [moved] })]);
  });

  it('merge: the story joins the other, which keeps its id; the merged id redirects', async () => {
    const x = await storyOfLink(a[1]!.link!);
    const y = await storyOfLink(b[1]!.link!);
    const res = await post(`/api/stories/${x}/merge`, { into: y });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'merged', story: y });
    const merged = await nm.get(`/api/stories/${x}`, { redirect: 'manual' });
    expect(merged.status).toBe(301);
    expect(merged.headers.get('location')).toMatch(new RegExp(`/api/stories/${y}$`));
    expect((await nm.get(`/stories/${x}`, { redirect: 'manual' })).status).toBe(301);
    expect((await story(y)).items.map((i) => i.link).sort()).toEqual([a[1]!.link, b[1]!.link].sort());
    expect((await story(y)).corrections).toEqual([expect.objectContaining({ kind: 'merge', story: x, into: y })]);
  });

  it('apart: two stories are never merged, also not through a third item that links both', async () => {
    const p = await storyOfLink(a[2]!.link!);
    const q = await storyOfLink(b[2]!.link!);
    const res = await post(`/api/stories/${p}/apart`, { from: q });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'kept apart', story: p });
    // One item whose link is p's article and whose guid is q's article: without the correction it would tie them.
    const tie = { ...items('delta', 1)[0]!, link: a[2]!.link, guid: b[2]!.link };
    outlets.routes.set('/c', { body: rssFeed([{ ...items('gamma', 1)[0]!, link: a[0]!.link }, tie]) });
    await nm.pollAll();
    expect((await story(p)).items.map((i) => i.outlet).sort()).toEqual(['Outlet A', 'Outlet C']);
    expect((await story(q)).items.map((i) => i.outlet)).toEqual(['Outlet B']);
    expect((await story(q)).corrections).toEqual([expect.objectContaining({ kind: 'apart', story: p, from: q })]);
  });

  it('every correction survives a restart and the periodic merge', async () => {
    const shared = await storyOfLink(a[0]!.link!);
    const p = await storyOfLink(a[2]!.link!);
    const y = await storyOfLink(b[1]!.link!);
    const before = { shared: await story(shared), p: await story(p), y: await story(y) };
    await nm.close({ keepData: true });
    nm = await start();
    // A cycle runs the periodic merge; nothing it does may undo a correction.
    await nm.pollAll();
    await nm.pollAll();
    expect((await story(shared)).items.map((i) => i.id)).toEqual(before.shared.items.map((i) => i.id));
    expect((await story(p)).items.map((i) => i.id)).toEqual(before.p.items.map((i) => i.id));
    expect((await story(y)).items.map((i) => i.id)).toEqual(before.y.items.map((i) => i.id));
    expect((await story(y)).corrections.map((c) => c.kind)).toEqual(['merge']);
    expect((await story(shared)).corrections.map((c) => c.kind)).toEqual(['split']);
  });

  it('corrections:export writes them as labeled pairs that train:dedup reads', async () => {
    const file = join(tempDir(), 'corrections.jsonl');
    const run = await runNode('cli/export-corrections.js', [file], { NEWSMERGE_DATA: dataDir });
    expect(run.code, run.stderr).toBe(0);
    const pairs = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { label: number; kind: string; a: { title: string }; b: { title: string } });
    expect(pairs.filter((p) => p.kind === 'merge').map((p) => p.label)).toEqual([1]);
    expect(pairs.filter((p) => p.kind === 'split').map((p) => p.label)).toEqual([0]);
    expect(pairs.filter((p) => p.kind === 'apart').map((p) => p.label)).toEqual([0]);
    expect(pairs.find((p) => p.kind === 'merge')!.a.title).toBe(a[1]!.title);
    const examples = correctionExamples(file);
    expect(examples.map((e) => e.label).sort()).toEqual([0, 0, 1]);
    for (const e of examples) expect(e.features.every(Number.isFinite)).toBe(true);
    const usage = await runNode('cli/export-corrections.js', [], { NEWSMERGE_DATA: dataDir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^newsmerge corrections:export: name the FILE.jsonl .*\nUsage: npm run corrections:export -- FILE.jsonl/);
  });
});

describe('the periodic merge obeys "apart"', () => {
  // Two outlets' reports of one event stored as two stories (joining is made impossible), with the pair noted.
  const dedup = configSchema.parse({ schedule: '*/5 * * * *', topics: { t: { title: 't' } }, feeds: [], dedup: { joinThreshold: 0.99, mergeThreshold: 0.5, nearDuplicate: 0, relatedThreshold: 0.3 } }).dedup;
  const entry = (outlet: string, title: string): Entry => ({
    guid: `https://${outlet}.example/a`, link: `https://${outlet}.example/a`, title,
    summary: 'The central bank raised its main interest rate by half a point on Thursday, the largest rise in two decades.',
    content: null, author: null, published: T0, updated: null, categories: [], enclosure: null, image: null,
  });
  const twoStories = () => {
    const store = openStore(tempDir());
    const engine = new ClusterEngine(store, dedup.window);
    store.feeds.sync([{ url: 'https://one.example/feed', outlet: 'One' }, { url: 'https://two.example/feed', outlet: 'Two' }], T0);
    const [one, two] = store.feeds.all();
    engine.write(() => storeEntries(engine, [{ feedId: one!.id, entries: [entry('one', 'Central bank raises interest rate by half a point')], fetchedAt: T0, guidMode: 'guid' }], dedup, T0));
    engine.write(() => storeEntries(engine, [{ feedId: two!.id, entries: [entry('two', 'Central bank lifts its interest rate half a point')], fetchedAt: T0, guidMode: 'guid' }], dedup, T0));
    const stories = store.db.prepare('SELECT DISTINCT story_id FROM items ORDER BY story_id').pluck().all() as number[];
    expect(stories).toHaveLength(2);
    return { store, engine, stories };
  };

  it('merges the noted pair without a correction', () => {
    const { store, engine } = twoStories();
    expect(mergeConvergedStories(engine, dedup, T0).merged).toBe(1);
    store.close();
  });

  it('leaves it apart (and unlinked) when a curator said so', () => {
    const { store, engine, stories } = twoStories();
    expect(tryCorrection(engine, { kind: 'apart', story: stories[0]!, from: stories[1]! }, T0).status).toBe('applied');
    expect(mergeConvergedStories(engine, dedup, T0).merged).toBe(0);
    expect(store.db.prepare('SELECT DISTINCT story_id FROM items ORDER BY story_id').pluck().all()).toEqual(stories);
    expect(store.links.relatedTo(stories).size).toBe(0);
    store.close();
  });
});
