import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHTML } from 'entities';
import xml2js from 'xml2js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSeries, rssFeed, type TestItem } from './helpers/feed-builder.js';
import { validateWithFeedcheck } from './helpers/feed-validators.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp } from './helpers/test-app.js';

const TOKEN = 'coverage-token-0123456789abcdef';
const T0 = Date.parse('2022-03-10T12:00:00Z');
const H = 3_600_000;

/** The link every outlet reporting shared story `n` uses: the exact stage merges them. */
const shared = (n: number) => `https://shared.example/story-${n}`;

/** Unrelated items of one outlet; `links[i]` replaces item i's own link with a shared one. */
function outletItems(prefix: string, n: number, at: number, links: Record<number, string>): TestItem[] {
  return itemSeries(prefix, n, at, H).map((item, i) => (links[i] ? { ...item, link: links[i] } : item));
}

// Stories: S1 = Left, Centre, Right · S2 = Centre, Right, Unrated (the left's blindspot) · S3 = Left, Leaning
// (the right's blindspot) · S7 = two outlets without a lean (nobody's blindspot) · and three single-outlet stories.
const ITEMS: Record<string, TestItem[]> = {
  L: outletItems('lefttimes', 3, T0, { 0: shared(1), 1: shared(3) }),
  LL: outletItems('leaningpost', 2, T0 - 5 * 60_000, { 0: shared(3) }),
  C: outletItems('centrewire', 2, T0 - 10 * 60_000, { 0: shared(1), 1: shared(2) }),
  R: outletItems('rightdaily', 3, T0 - 15 * 60_000, { 0: shared(1), 1: shared(2) }),
  U: outletItems('unratedgazette', 2, T0 - 20 * 60_000, { 0: shared(2), 1: shared(7) }),
  U2: outletItems('secondgazette', 1, T0 - 25 * 60_000, { 0: shared(7) }),
};

const PROFILES = {
  'Left Times': { country: 'US', language: 'en-US', lean: 'left', owner: 'Left Media Inc.' },
  'Leaning Post': { country: 'gb', language: 'en-gb', lean: 'lean-left' },
  'Centre Wire': { country: 'GB', language: 'en', lean: 'center', labels: ['wire service'] },
  'Right Daily': { country: 'US', language: 'en', lean: 'right' },
  'Unrated Gazette': { country: 'IE', language: 'ga' },
};

interface CoverageJson {
  lean: Record<string, number>;
  countries: Record<string, number>;
  languages: Record<string, number>;
  shares: Record<string, number>;
}
interface StoryJson {
  id: number;
  title: string;
  sources: Array<{ name: string; url: string; lean: string | null; country: string | null }>;
  coverage: CoverageJson;
  items?: Array<{ id: number; outlet: string }>;
}

/** The error message of a JSON or HTML answer. */
async function messageOf(res: Response): Promise<string> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) return (JSON.parse(text) as { error: string }).error;
  const m = /<p class="notice" role="alert"><strong>\d+<\/strong> · (.*)<\/p>/.exec(text);
  return m ? decodeHTML(m[1]!) : `(no message in ${text.slice(0, 200)})`;
}

const lean = (partial: Record<string, number>) => ({ left: 0, 'lean-left': 0, center: 0, 'lean-right': 0, right: 0, unrated: 0, ...partial });

describe('outlet profiles, coverage and blindspots through the real server', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  const dataDir = tempDir();
  // One topic per feed: every item of a feed is in its topic, whatever decides topics of items within a feed.
  const feeds = () => [
    { url: outlets.url('/l'), title: 'Left Times', tags: ['world'] },
    { url: outlets.url('/ll'), title: 'Leaning Post', tags: ['world'] },
    { url: outlets.url('/c'), title: 'Centre Wire', tags: ['world'] },
    { url: outlets.url('/r'), title: 'Right Daily', tags: ['politics'] },
    { url: outlets.url('/u'), title: 'Unrated Gazette', tags: ['world'] },
    { url: outlets.url('/u2'), title: 'Second Gazette', tags: ['world'] },
  ];
  const serve = (name: string, items: TestItem[]) => outlets.routes.set(`/${name.toLowerCase()}`, { body: rssFeed(items, { title: name }) });
  const post = (path: string, body?: unknown) =>
    nm.get(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  const stories = async (qs = '') => (await nm.json<{ stories: StoryJson[] }>(`/api/stories?limit=100&${qs}`)).stories;
  /** The story the item with this link is in now. */
  const storyOf = async (link: string) => {
    const found = (await stories()).find((s) => s.sources.some((src) => src.url === link));
    if (!found) throw new Error(`no story has ${link}`);
    return found;
  };
  /** Which of the shared stories (and singles, by outlet) a listing holds, as short names. */
  const names = (list: StoryJson[]) =>
    list
      .map((s) => {
        const n = [1, 2, 3, 7].find((k) => s.sources.some((src) => src.url === shared(k)));
        return n ? `S${n}` : `one:${s.sources[0]!.name}`;
      })
      .sort();

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    for (const [name, items] of Object.entries(ITEMS)) serve(name, items);
    nm = await startTestApp({ feeds: feeds(), dataDir, now: T0, config: { outlets: PROFILES }, topics: { world: { title: 'World' }, politics: { title: 'Politics' } }, env: { NEWSMERGE_ADMIN_TOKEN: TOKEN } });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
  });

  it('counts each story\'s outlets by lean, country and language, in the API and JSON Feed', async () => {
    expect(names(await stories())).toEqual(['S1', 'S2', 'S3', 'S7', 'one:Leaning Post', 'one:Left Times', 'one:Right Daily']);
    const s1 = await storyOf(shared(1));
    expect(s1.coverage).toEqual({ lean: lean({ left: 1, center: 1, right: 1 }), countries: { US: 2, GB: 1 }, languages: { en: 3 }, shares: { left: 0.333, center: 0.333, right: 0.333, unrated: 0 } });
    const s2 = await storyOf(shared(2));
    expect(s2.coverage).toEqual({ lean: lean({ center: 1, right: 1, unrated: 1 }), countries: { GB: 1, IE: 1, US: 1 }, languages: { en: 2, ga: 1 }, shares: { left: 0, center: 0.333, right: 0.333, unrated: 0.333 } });
    const s3 = await storyOf(shared(3));
    expect(s3.coverage.lean).toEqual(lean({ left: 1, 'lean-left': 1 }));
    expect(s3.coverage.countries).toEqual({ GB: 1, US: 1 });
    expect(s3.coverage.shares).toEqual({ left: 1, center: 0, right: 0, unrated: 0 });
    const s7 = await storyOf(shared(7));
    expect(s7.coverage).toEqual({ lean: lean({ unrated: 2 }), countries: { IE: 1 }, languages: { ga: 1 }, shares: { left: 0, center: 0, right: 0, unrated: 1 } });
    expect(s1.sources.map((s) => [s.name, s.lean, s.country]).sort()).toEqual([['Centre Wire', 'center', 'GB'], ['Left Times', 'left', 'US'], ['Right Daily', 'right', 'US']]);
    // One story by id says the same.
    expect((await nm.json<StoryJson>(`/api/stories/${s2.id}`)).coverage).toEqual(s2.coverage);

    const feed = await nm.json<{ items: Array<{ id: string; content_html: string; _newsmerge: { story_id: number; coverage: CoverageJson; sources: Array<Record<string, unknown>> } }> }>('/topics/politics.json');
    const item = feed.items.find((i) => i._newsmerge.story_id === s2.id)!;
    expect(item._newsmerge.coverage).toEqual(s2.coverage);
    expect(item._newsmerge.sources.map((s) => [s.name, s.lean, s.country]).sort()).toEqual([['Centre Wire', 'center', 'GB'], ['Right Daily', 'right', 'US'], ['Unrated Gazette', null, 'IE']]);
    expect(item.content_html).toContain('<p>Coverage: 0 left · 1 center · 1 right · 1 unrated</p>');
  });

  it('writes one "Coverage:" line per entry in RSS and Atom, and the feeds stay valid', async () => {
    const s1 = await storyOf(shared(1));
    const dir = tempDir('newsmerge-coverage-feeds-');
    for (const format of ['rss', 'atom', 'json'] as const) {
      const path = `/topics/world.${format}?blindspot=right&min_sources=1`;
      const res = await nm.get(path);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      if (format !== 'json') {
        expect(text).toContain('Coverage: 2 left · 0 center · 0 right');
        const all = await (await nm.get(`/all.${format}`)).text();
        expect(all.split('Coverage: ').length - 1).toBe(7);
        expect(all).toContain('Coverage: 1 left · 1 center · 1 right');
        expect(all).toContain(`urn:newsmerge:story:${s1.id}`);
      }
      const file = join(dir, `feed.${format}`);
      writeFileSync(file, text);
      validateWithFeedcheck(file, format, `http://news.test${path}`);
    }
  });

  it('filters by lean, blindspot, country, language and min_countries', async () => {
    const cases: Array<[string, string[]]> = [
      ['lean=left', ['S1', 'S3', 'one:Leaning Post', 'one:Left Times']],
      ['lean=lean-left', ['S3', 'one:Leaning Post']],
      ['lean=center,right', ['S1', 'S2', 'one:Right Daily']],
      ['lean=right,center', ['S1', 'S2', 'one:Right Daily']],
      ['lean=lean-right', []],
      ['blindspot=left', ['S2']],
      ['blindspot=right', ['S3']],
      ['blindspot=left&min_sources=4', []],
      ['blindspot=right&min_sources=1', ['S3', 'one:Leaning Post', 'one:Left Times']],
      ['country=IE', ['S2', 'S7']],
      ['country=gb,ie', ['S1', 'S2', 'S3', 'S7', 'one:Leaning Post']],
      ['language=ga', ['S2', 'S7']],
      ['language=en-GB', ['S3', 'one:Leaning Post']],
      ['language=en', ['S1', 'S2', 'S3', 'one:Leaning Post', 'one:Left Times', 'one:Right Daily']],
      ['min_countries=2', ['S1', 'S2', 'S3']],
      ['min_countries=3', ['S2']],
      ['blindspot=left&country=IE', ['S2']],
      ['lean=left&source=Leaning Post', ['S3', 'one:Leaning Post']],
      ['lean=left&min_sources=2', ['S1', 'S3']],
      ['country=US&exclude=politics', ['S1', 'S2', 'S3', 'one:Left Times']],
      ['lean=right&exclude=politics', ['S1', 'S2']],
      [`lean=left&q=${encodeURIComponent(ITEMS.LL![0]!.title.split(' ')[1]!)}`, ['S3']],
      [`blindspot=left&since=${new Date(T0 - 30 * 60_000).toISOString()}`, ['S2']],
    ];
    const feedNames = async (path: string) =>
      names((await nm.json<{ items: Array<{ _newsmerge: { sources: StoryJson['sources'] } }> }>(path)).items.map((i) => ({ sources: i._newsmerge.sources }) as StoryJson));
    for (const [qs, expected] of cases) {
      expect(names(await stories(qs)), `api ${qs}`).toEqual(expected);
      expect(await feedNames(`/all.json?${qs}`), `feed ${qs}`).toEqual(expected);
      const page = await (await nm.get(`/all?${qs}`)).text();
      expect(page.split('<article class="story">').length - 1, `page ${qs}`).toBe(expected.length);
    }
    // Topics: politics is Right Daily's feed alone, world the others'.
    expect(await feedNames('/topics/politics.json?blindspot=left')).toEqual(['S2']);
    expect(await feedNames('/topics/politics.json?lean=center')).toEqual(['S1', 'S2']);
    expect(names(await stories('tag=politics&min_countries=3'))).toEqual(['S2']);
    expect(await feedNames('/topics/world.json?blindspot=right')).toEqual(['S3']);
    expect(await feedNames('/topics/world.json?lean=right')).toEqual(['S1', 'S2']);
    expect((await (await nm.get('/topics/world?blindspot=left')).text()).split('<article class="story">').length - 1).toBe(1);
  });

  it('pages through a filtered listing with cursors, without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { stories: StoryJson[]; nextCursor: string | null } = await nm.json(`/api/stories?tag=world&lean=left&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.stories).toHaveLength(1);
      seen.push(...names(page.stories));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['S1', 'S3', 'one:Leaning Post', 'one:Left Times']);
  });

  it('answers unknown values with a 400 naming the parameter and the allowed values, on feeds, pages and the API', async () => {
    const cases: Array<[string, RegExp]> = [
      ['lean=far-left', /^lean takes one or more of left, lean-left, center, lean-right, right .*not "far-left"$/],
      ['lean=left,centre', /^lean takes one or more of left, lean-left, center, lean-right, right .*not "centre"$/],
      ['lean=left&lean=right', /^lean is given more than once$/],
      ['blindspot=both', /^blindspot must be left or right, not "both"$/],
      ['blindspot=center', /^blindspot must be left or right, not "center"$/],
      ['country=UK', /^country takes ISO 3166-1 alpha-2 codes separated by commas, such as GB,IE, not "UK"$/],
      ['country=GBR', /^country takes ISO 3166-1 alpha-2 codes/],
      ['country=FR', /^country: no configured outlet is from FR; the outlets' countries are GB, IE, US$/],
      ['language=en_GB', /^language takes BCP 47 language tags separated by commas, such as en or pt-BR, not "en_GB"$/],
      ['language=fr', /^language: no configured outlet writes in fr; the outlets' languages are en, en-GB, en-US, ga$/],
      ['min_countries=0', /^min_countries must be a whole number from 1 to 250, not "0"$/],
      ['min_countries=two', /^min_countries must be a whole number from 1 to 250/],
      [`country=${'G'.repeat(201)}`, /^country takes at most 200 characters, not 201$/],
    ];
    const surfaces = [(qs: string) => `/topics/world.rss?${qs}`, (qs: string) => `/all.json?${qs}`, (qs: string) => `/topics/world?${qs}`, (qs: string) => `/all?${qs}`, (qs: string) => `/api/stories?${qs}`];
    for (const [qs, message] of cases) {
      for (const surface of surfaces) {
        const res = await nm.get(surface(qs));
        expect(res.status, surface(qs)).toBe(400);
        const isPage = !/\.(rss|json)\?|^\/api\//.test(surface(qs));
        expect(res.headers.get('content-type'), surface(qs)).toMatch(isPage ? /^text\/html/ : /^application\/json/);
        expect(await messageOf(res), surface(qs)).toMatch(message);
      }
    }
  });

  it('keeps ETags and 304s per distinct query, whatever the order of the values', async () => {
    const a = await nm.get('/topics/world.json?lean=left,center');
    const b = await nm.get('/topics/world.json?lean=center,left');
    const plain = await nm.get('/topics/world.json');
    const blind = await nm.get('/topics/world.json?blindspot=left');
    expect(a.headers.get('etag')).toBeTruthy();
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
    expect(new Set([a.headers.get('etag'), plain.headers.get('etag'), blind.headers.get('etag')]).size).toBe(3);
    for (let i = 0; i < 2; i++) {
      // The second round goes through the fast path (the request URL was resolved before).
      const again = await nm.get('/topics/world.json?blindspot=left', { headers: { 'if-none-match': blind.headers.get('etag')! } });
      expect(again.status).toBe(304);
    }
    const other = await nm.get('/topics/world.json?blindspot=right', { headers: { 'if-none-match': blind.headers.get('etag')! } });
    expect(other.status).toBe(200);
  });

  it('shows a coverage bar with counts in text and outlet badges on pages; /blindspots lists each side\'s blindspots', async () => {
    const s2 = await storyOf(shared(2));
    const page = await (await nm.get(`/stories/${s2.id}`)).text();
    expect(page).toContain('aria-label="Coverage by lean: 0 left, 1 center, 1 right, 1 unrated"');
    expect(page).toContain('Coverage: 0 left · 1 center · 1 right · 1 unrated');
    expect(page).toMatch(/Countries: GB 1 · IE 1 · US 1 — Languages: en 2 · ga 1/);
    expect(page).toMatch(/class="badge outlet"[^>]*>Centre Wire <span class="lean">center<\/span> <span class="country">GB<\/span>/);
    expect(page).toMatch(/class="badge outlet"[^>]*>Unrated Gazette <span class="country">IE<\/span>/);
    const topic = await (await nm.get('/topics/world')).text();
    expect(topic.split('class="cbar small"').length - 1).toBe(6);
    expect(topic).toContain('aria-label="Coverage by lean: 0 left, 1 center, 1 right, 1 unrated"');

    const blind = await nm.get('/blindspots');
    expect(blind.status).toBe(200);
    const html = await blind.text();
    const world = html.slice(html.indexOf('data-topic="world"'), html.indexOf('data-topic="politics"'));
    const left = world.slice(world.indexOf('data-side="left"'), world.indexOf('data-side="right"'));
    const right = world.slice(world.indexOf('data-side="right"'));
    expect(left).toContain(`/stories/${s2.id}"`);
    expect(left).toContain('http://news.test/topics/world.rss?blindspot=left');
    expect(right).toContain(`/stories/${(await storyOf(shared(3))).id}"`);
    expect(right).toContain('http://news.test/topics/world.json?blindspot=right');
    expect(right).not.toContain(`/stories/${s2.id}"`);
  });

  it('lists the blindspot feeds in OPML and the profiles in /opml/outlets, which opml:import reads back', async () => {
    const doc = (await xml2js.parseStringPromise(await (await nm.get('/opml')).text())) as { opml: { body: Array<{ outline: Array<{ $: Record<string, string>; outline?: Array<{ $: Record<string, string> }> }> }> } };
    const folder = doc.opml.body[0]!.outline.find((o) => o.$.text === 'Blindspots')!;
    expect(folder.outline!.map((o) => o.$.xmlUrl)).toEqual(
      ['world', 'politics'].flatMap((t) => [`http://news.test/topics/${t}.rss?blindspot=left`, `http://news.test/topics/${t}.rss?blindspot=right`]),
    );
    const outlines = (await xml2js.parseStringPromise(await (await nm.get('/opml/outlets')).text())) as { opml: { body: Array<{ outline: Array<{ $: Record<string, string> }> }> } };
    const centre = outlines.opml.body[0]!.outline.find((o) => o.$.title === 'Centre Wire')!.$;
    expect(centre).toMatchObject({ outlet: 'Centre Wire', country: 'GB', language: 'en', lean: 'center', labels: 'wire service' });
    expect(outlines.opml.body[0]!.outline.find((o) => o.$.title === 'Second Gazette')!.$).not.toHaveProperty('lean');
  });

  it('follows outlets joining a story and profiles changed by a reload', async () => {
    // Leaning Post reports S2 too: the left covers it now, so it is no longer the left's blindspot.
    serve('LL', [...ITEMS.LL!, { ...itemSeries('leaningpost-late', 1, T0 - 40 * 60_000, H)[0]!, link: shared(2) }]);
    await nm.pollAll();
    const s2 = await storyOf(shared(2));
    expect(s2.coverage.lean).toEqual(lean({ 'lean-left': 1, center: 1, right: 1, unrated: 1 }));
    expect(names(await stories('blindspot=left'))).toEqual([]);
    // The operator rates the Unrated Gazette: stories already stored count it at once.
    const before = await nm.get('/topics/world.json?blindspot=right');
    const config = JSON.parse(readFileSync(nm.configPath, 'utf8')) as { outlets: Record<string, Record<string, unknown>> };
    config.outlets['Unrated Gazette'] = { country: 'IE', language: 'ga', lean: 'lean-right' };
    writeFileSync(nm.configPath, JSON.stringify(config));
    expect((await post('/api/reload')).status).toBe(200);
    expect((await storyOf(shared(7))).coverage.lean).toEqual(lean({ 'lean-right': 1, unrated: 1 }));
    // S7 (Unrated Gazette now lean-right, Second Gazette unrated) is the left's blindspot now.
    expect(names(await stories('blindspot=left'))).toEqual(['S7']);
    const after = await nm.get('/topics/world.json?blindspot=right', { headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(200);
    // A profile naming no outlet is refused by a reload, which keeps the running config.
    config.outlets['Nobody Times'] = { lean: 'left' };
    writeFileSync(nm.configPath, JSON.stringify(config));
    const bad = await post('/api/reload');
    expect(bad.status).toBe(400);
    expect(await messageOf(bad)).toMatch(/outlets\["Nobody Times"\]: names no configured outlet .*configured outlets: "Left Times", "Leaning Post"/);
    expect((await storyOf(shared(7))).coverage.lean).toEqual(lean({ 'lean-right': 1, unrated: 1 }));
  });

  it('follows a curator split: each side counts its own outlets', async () => {
    const s1 = await nm.json<StoryJson>(`/api/stories/${(await storyOf(shared(1))).id}`);
    const moved = s1.items!.filter((i) => i.outlet === 'Right Daily').map((i) => i.id);
    const res = await post(`/api/stories/${s1.id}/split`, { items: moved });
    expect(res.status).toBe(201);
    const { story: created } = (await res.json()) as { story: number };
    expect((await nm.json<StoryJson>(`/api/stories/${s1.id}`)).coverage.lean).toEqual(lean({ left: 1, center: 1 }));
    expect((await nm.json<StoryJson>(`/api/stories/${created}`)).coverage).toMatchObject({ lean: lean({ right: 1 }), countries: { US: 1 } });
    // Without the right, S1 is now the right's blindspot.
    expect((await stories('blindspot=right')).map((s) => s.id)).toContain(s1.id);
  });
});

describe('coverage after the periodic merge', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  const summary = 'The central bank raised its main interest rate by half a point on Thursday, the largest rise in two decades.';
  const item = (host: string, title: string): TestItem => ({ title, link: `https://${host}.example/rates`, guid: `${host}-rates`, date: T0 - H, description: summary });

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    outlets.routes.set('/one', { body: rssFeed([item('one', 'Central bank raises interest rate by half a point')]) });
    outlets.routes.set('/two', { body: rssFeed([]) });
    nm = await startTestApp({
      feeds: [
        { url: outlets.url('/one'), title: 'One', tags: ['world'] },
        { url: outlets.url('/two'), title: 'Two', tags: ['world'] },
      ],
      now: T0,
      // Joining made impossible, merging easy: the second report starts a story of its own and the cycle's merge pass joins them.
      config: { outlets: { One: { lean: 'left', country: 'GB' }, Two: { lean: 'right', country: 'US' } }, dedup: { joinThreshold: 0.99, mergeThreshold: 0.5, nearDuplicate: 0, relatedThreshold: 0.3 } },
    });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
  });

  it('counts the outlets of both stories once they are one', async () => {
    const before = await nm.json<{ stories: StoryJson[] }>('/api/stories');
    expect(before.stories).toHaveLength(1);
    const first = before.stories[0]!;
    expect(first.coverage.lean).toEqual(lean({ left: 1 }));
    outlets.routes.set('/two', { body: rssFeed([item('two', 'Central bank lifts its interest rate half a point')]) });
    await nm.pollAll();
    const after = await nm.json<{ stories: StoryJson[] }>('/api/stories');
    expect(after.stories).toHaveLength(1);
    expect(after.stories[0]!.id).toBe(first.id);
    expect(after.stories[0]!.coverage).toMatchObject({ lean: lean({ left: 1, right: 1 }), countries: { GB: 1, US: 1 }, shares: { left: 0.5, right: 0.5 } });
    // The second report's own story was merged away, not joined: its id redirects to the survivor.
    const merged = await nm.get(`/api/stories/${first.id + 1}`, { redirect: 'manual' });
    expect(merged.status).toBe(301);
    expect(after.stories[0]!.id).not.toBe(first.id + 1);
  });
});
