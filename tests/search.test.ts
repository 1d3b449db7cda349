import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spellingVariants } from '../src/dedup/spelling.js';
import { ftsQuery } from '../src/serve/feed-query.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp } from './helpers/test-app.js';

const NOW = Date.parse('2022-03-10T12:00:00Z');
const H = 3_600_000;

const ITEMS = [
  { title: 'Central bank raises its interest rate for the third time', link: 'https://a.example/rate', guid: 'r1', date: NOW - H, description: 'Borrowing costs climb again.' },
  { title: 'Troops withdraw from the border region', link: 'https://a.example/troops', guid: 't1', date: NOW - 2 * H, description: 'Soldiers pulled back overnight.' },
  { title: 'Vapour cloud drifts over the harbour after a factory fire', link: 'https://a.example/vapour', guid: 'v1', date: NOW - 3 * H, description: 'Residents told to keep windows shut.' },
  { title: 'City council debates the new defense budget', link: 'https://a.example/defense', guid: 'd1', date: NOW - 4 * H, description: 'A vote follows next week.' },
];

type JsonFeed = { items: Array<{ title: string }> };
const titles = (feed: JsonFeed) => feed.items.map((i) => i.title);

describe('search with stemming and British/American spellings', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  const dataDir = tempDir();

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    outlets.routes.set('/a.rss', { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(ITEMS, { title: 'Outlet A' }) });
    nm = await startTestApp({ feeds: [{ url: outlets.url('/a.rss'), title: 'Outlet A', tags: ['world'] }], now: NOW, dataDir });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
  });

  it('builds a quoted query, widening each word to its listed spellings', () => {
    expect(ftsQuery('vapor Troops')).toBe('("vapor" OR "vapour") AND "troops"');
    expect(ftsQuery('"NEAR(a* OR')).toBe('"near" AND "a" AND "or"');
    expect(spellingVariants('defence')).toEqual(['defence', 'defense']);
    expect(spellingVariants('colors')).toEqual(['colors', 'colours']);
    expect(spellingVariants('four')).toEqual(['four']);
  });

  it('finds other forms of a word: "interest rates" finds "interest rate", "troop" finds "troops"', async () => {
    expect(titles(await nm.json<JsonFeed>('/all.json?q=interest%20rates'))).toEqual(['Central bank raises its interest rate for the third time']);
    expect(titles(await nm.json<JsonFeed>('/all.json?q=troop'))).toEqual(['Troops withdraw from the border region']);
    expect(titles(await nm.json<JsonFeed>('/all.json?q=raising'))).toEqual(['Central bank raises its interest rate for the third time']);
    // Every word must match.
    expect(titles(await nm.json<JsonFeed>('/all.json?q=troop%20harbour'))).toEqual([]);
  });

  it('finds British and American spellings of a listed word either way', async () => {
    expect(titles(await nm.json<JsonFeed>('/all.json?q=vapor'))).toEqual(['Vapour cloud drifts over the harbour after a factory fire']);
    expect(titles(await nm.json<JsonFeed>('/all.json?q=harbor'))).toEqual(['Vapour cloud drifts over the harbour after a factory fire']);
    expect(titles(await nm.json<JsonFeed>('/all.json?q=defence%20budget'))).toEqual(['City council debates the new defense budget']);
  });

  it('searches the same way on pages and in the API', async () => {
    const page = await (await nm.get('/topics/world?q=vapor')).text();
    expect(page).toContain('Vapour cloud drifts');
    expect(page).not.toContain('Troops withdraw');
    const api = await nm.json<{ stories: Array<{ title: string }> }>('/api/stories?q=interest%20rates');
    expect(api.stories.map((s) => s.title)).toEqual(['Central bank raises its interest rate for the third time']);
  });

  it('rebuilds the search index of an existing database with the stemming tokenizer on upgrade', async () => {
    await nm.close({ keepData: true });
    // Put the database back to how the previous release left it: exact-word index, schema version 4.
    const db = new Database(join(dataDir, 'newsmerge.db'));
    db.exec(`DROP TRIGGER items_fts_insert; DROP TRIGGER items_fts_delete; DROP TRIGGER items_fts_update; DROP TABLE items_fts;`);
    db.exec(MIGRATIONS[0]!.slice(MIGRATIONS[0]!.indexOf('CREATE VIRTUAL TABLE items_fts')));
    db.exec(`INSERT INTO items_fts(items_fts) VALUES ('rebuild')`);
    // Schema version 4: the steps after it (the stemming index, item topics, push, outlet push, timed merge hints) run again at start.
    db.exec(`DROP TABLE item_topics`);
    for (const table of ['websub_subscriptions', 'websub_topics', 'alerts_seen', 'alert_stories', 'push_deliveries', 'outlet_subscriptions']) db.exec(`DROP TABLE ${table}`);
    for (const column of ['hub_url', 'self_url', 'push_polled']) db.exec(`ALTER TABLE feeds DROP COLUMN ${column}`);
    db.exec(`DROP INDEX story_merge_hints_by_time; ALTER TABLE story_merge_hints DROP COLUMN noted_for`);
    db.pragma(`user_version = 4`);
    expect((db.prepare(`SELECT count(*) AS n FROM items_fts WHERE items_fts MATCH '"troop"'`).get() as { n: number }).n).toBe(0);
    db.close();
    nm = await startTestApp({ feeds: [{ url: outlets.url('/a.rss'), title: 'Outlet A', tags: ['world'] }], now: NOW, dataDir });
    expect(titles(await nm.json<JsonFeed>('/all.json?q=troop'))).toEqual(['Troops withdraw from the border region']);
    const check = new Database(join(dataDir, 'newsmerge.db'), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect((check.prepare(`SELECT sql FROM sqlite_master WHERE name = 'items_fts'`).get() as { sql: string }).sql).toContain("tokenize='porter unicode61 remove_diacritics 2'");
    check.close();
  });
});
