import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedState } from '../src/store/feed-states.js';
import { itemSeries, rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const CORPUS = join(import.meta.dirname, '../../shared/data/feeds-corpus/feedparser');
const present = existsSync(join(CORPUS, 'MANIFEST.tsv'));
if (!present) process.stderr.write(`feedparser corpus not found at ${CORPUS} (../shared beside the project): corpus test not run\n`);

interface CorpusFile {
  path: string;
  expect: string;
  headers: Record<string, string>;
}

function manifest(): CorpusFile[] {
  return readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [path, , expectation, headers] = line.split('\t');
      return { path: path!, expect: expectation ?? '', headers: headers ? (JSON.parse(headers) as Record<string, string>) : {} };
    });
}

/** Reads a Python string literal ('…' or "…", optional u prefix) as feedparser's expectations write them. */
function pythonString(literal: string): string | null {
  const m = /^u?(['"])(.*)\1$/s.exec(literal.trim());
  if (!m) return null;
  return m[2]!.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|n|t|r|\\|'|")/g, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'U' || e[0] === 'x') return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e]!;
  });
}

const FIELDS = { feedTitle: "feed\\['title'\\]", entryTitle: "entries\\[0\\]\\['title'\\]", entryDescription: "entries\\[0\\]\\['description'\\]" };

/** The plain-text value a feedparser expectation gives for a feed or entry field, if any. */
function expectedText(expectation: string, field: keyof typeof FIELDS): string | null {
  const key = FIELDS[field];
  // A literal followed by "+" is only the start of a longer expected value: skip those.
  const m = new RegExp(`${key} == (u?'(?:[^'\\\\]|\\\\.)*'|u?"(?:[^"\\\\]|\\\\.)*")(?!\\s*\\+)`).exec(expectation);
  const value = m ? pythonString(m[1]!) : null;
  // Only plain text compares: feedparser keeps markup in titles that newsmerge turns into text.
  return value !== null && !/[<>&]/.test(value) && value.trim() !== '' ? value : null;
}

function contentType(file: CorpusFile): string {
  const given = Object.entries(file.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  if (given !== undefined) return given;
  if (file.path.endsWith('.json')) return 'application/feed+json';
  return /atom/i.test(file.path) ? 'application/atom+xml' : 'application/rss+xml';
}

function reasonOf(error: string): string {
  return error
    .replace(/: .*$/s, '')
    .replace(/^parse$/, 'parse')
    .trim();
}

describe.runIf(present)('the feedparser corpus through fetch + parse + store', () => {
  let server: FixtureServer;
  let nm: TestApp;
  let files: CorpusFile[];
  let states: Map<string, FeedState>;
  let itemTitles: Map<string, string[]>;
  let itemSummaries: Map<string, string[]>;
  let cycleMs = 0;

  beforeAll(async () => {
    files = manifest();
    server = await new FixtureServer().start();
    for (const file of files) {
      const headers: Record<string, string> = { ...file.headers, 'content-type': contentType(file) };
      for (const key of Object.keys(headers)) if (key !== 'content-type' && key.toLowerCase() === 'content-type') delete headers[key];
      server.routes.set(`/${file.path}`, { headers, body: readFileSync(join(CORPUS, file.path)) });
    }
    server.routes.set('/healthy.rss', { body: rssFeed(itemSeries('healthy', 3, Date.parse('2022-02-17T10:00:00Z'), 600_000)) });
    nm = await startTestApp({
      feeds: [...files.map((f, i) => ({ url: server.url(`/${f.path}`), title: `Corpus ${i}`, tags: ['world'] })), { url: server.url('/healthy.rss'), title: 'Healthy', tags: ['world'] }],
      config: { perHostConcurrency: 8, fetchTimeout: '5s' },
      now: Date.parse('2024-01-01T00:00:00Z'),
    });
    const started = performance.now();
    await nm.pollAll();
    cycleMs = performance.now() - started;
    states = new Map(nm.app.store.feeds.all().map((s) => [s.url, s]));
    itemTitles = new Map();
    itemSummaries = new Map();
    const rows = nm.app.store.db.prepare('SELECT f.url AS url, i.title AS title, i.summary AS summary FROM items i JOIN feeds f ON f.id = i.feed_id ORDER BY i.id').all() as Array<{ url: string; title: string; summary: string }>;
    for (const row of rows) {
      itemTitles.set(row.url, [...(itemTitles.get(row.url) ?? []), row.title]);
      itemSummaries.set(row.url, [...(itemSummaries.get(row.url) ?? []), row.summary]);
    }
  }, 120_000);

  afterAll(async () => {
    await nm?.close();
    await server?.close();
  });

  it('polls every file without a crash or a hang, each ending parsed or rejected with a reason', () => {
    expect(files.length).toBe(2107);
    expect(cycleMs).toBeLessThan(60_000);
    const outcome = { parsed: 0, rejected: 0, withItems: 0, items: 0 };
    const reasons = new Map<string, number>();
    for (const file of files) {
      const state = states.get(server.url(`/${file.path}`))!;
      expect(state.lastFetchedAt, file.path).not.toBeNull();
      if (state.lastError === null) {
        outcome.parsed++;
        const titles = itemTitles.get(server.url(`/${file.path}`)) ?? [];
        if (titles.length) outcome.withItems++;
        outcome.items += titles.length;
      } else {
        outcome.rejected++;
        reasons.set(reasonOf(state.lastError), (reasons.get(reasonOf(state.lastError)) ?? 0) + 1);
      }
    }
    expect(outcome).toEqual({ parsed: 2090, rejected: 17, withItems: 490, items: 506 });
    expect(Object.fromEntries([...reasons].sort())).toEqual({ parse: 17 });
  });

  it('decodes every encoding to the text feedparser expects, without replacement characters', () => {
    let compared = 0;
    const wrong: string[] = [];
    for (const file of files.filter((f) => f.path.startsWith('encoding/'))) {
      const url = server.url(`/${file.path}`);
      const state = states.get(url)!;
      if (state.lastError !== null) continue;
      const ours = { feedTitle: state.feedTitle ?? '', entryTitle: itemTitles.get(url)?.[0] ?? '', entryDescription: itemSummaries.get(url)?.[0] ?? '' };
      for (const field of Object.keys(FIELDS) as Array<keyof typeof FIELDS>) {
        const expected = expectedText(file.expect, field);
        if (expected === null) continue;
        compared++;
        if (ours[field].trim() !== expected.trim()) wrong.push(`${file.path} ${field}: ${JSON.stringify(ours[field])} != ${JSON.stringify(expected)}`);
      }
      // Invalid bytes become U+FFFD; only the files that are about invalid bytes may have them.
      if (!/bozo|linenoise/.test(file.path) && Object.values(ours).some((t) => t.includes('\uFFFD'))) wrong.push(`${file.path}: replacement character`);
    }
    expect(wrong).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(5);
  });

  it('reads the feed title feedparser expects for every plain-text title in the corpus', () => {
    // Where newsmerge decides differently on purpose: HTML5's entity table (&lang; is U+27E8, not HTML 4's
    // U+2329); XML names are case-sensitive (<TITLE> is not <title>); an unterminated HTML comment runs to the
    // end of the text, as HTML5 parses it.
    const different = new Set(['entities/lang.xml', 'entities/rang.xml', 'wellformed/itunes/itunes_core_element_uppercase.xml', 'wellformed/sanitize/xml_malicious_comment.xml']);
    let compared = 0;
    const wrong: string[] = [];
    for (const file of files.filter((f) => !different.has(f.path))) {
      const expected = expectedText(file.expect, 'feedTitle');
      const state = states.get(server.url(`/${file.path}`))!;
      if (expected === null || state.lastError !== null) continue;
      compared++;
      if ((state.feedTitle ?? '').replace(/\s+/g, ' ').trim() !== expected.replace(/\s+/g, ' ').trim()) wrong.push(`${file.path}: ${JSON.stringify(state.feedTitle)} != ${JSON.stringify(expected)}`);
    }
    expect(compared).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });

  it('leaves the poller healthy: a normal feed is polled and served afterwards', async () => {
    nm.clock.now += 3_600_000;
    const before = (await nm.json<{ items: unknown[] }>('/topics/world.json?limit=500')).items.length;
    server.routes.set('/healthy.rss', { body: rssFeed(itemSeries('healthy', 4, Date.parse('2022-02-17T11:00:00Z'), 600_000)) });
    const report = await nm.app.poller.poll({ mode: 'all', url: server.url('/healthy.rss') });
    expect(report).toMatchObject({ feeds: 1, fetched: 1, failed: 0, newItems: 1 });
    expect((await nm.get('/healthz')).status).toBe(200);
    expect(before).toBeGreaterThan(0);
  });
});
