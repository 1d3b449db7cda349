import { decodeHTML } from 'entities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDate } from '../src/serve/feed-query.js';
import type { TestApp } from './helpers/test-app.js';
import { FIXTURE_NOW, polledTopicApp } from './helpers/topic-fixtures.js';

/** The same listing as a feed, a page and the API: each parameter must get the same answer on all three. */
const SURFACES = [
  { kind: 'feed', path: (qs: string) => `/topics/world.json?${qs}` },
  { kind: 'page', path: (qs: string) => `/topics/world?${qs}` },
  { kind: 'api', path: (qs: string) => `/api/stories?tag=world&${qs}` },
] as const;

/** The error message of a JSON or HTML answer. */
async function messageOf(res: Response): Promise<string> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) return (JSON.parse(text) as { error: string }).error;
  const m = /<p class="notice" role="alert"><strong>\d+<\/strong> · (.*)<\/p>/.exec(text);
  return m ? decodeHTML(m[1]!) : `(no message in ${text.slice(0, 200)})`;
}

describe('one rule per parameter, on feeds, pages and the API alike', () => {
  let nm: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ nm, close } = await polledTopicApp());
  });

  afterAll(() => close());

  it('answers every violation with a 400 naming the parameter and its rule, in the format of the route', async () => {
    const cases: Array<[string, RegExp]> = [
      [`q=${'x'.repeat(300)}`, /^q takes at most 200 characters, not 300$/],
      [`q=${'x'.repeat(10_000)}`, /^q takes at most 200 characters, not 10000$/],
      ['q=*', /^q has no words to search for/],
      [`q=${Array.from({ length: 13 }, (_, i) => `word${i}`).join('+')}`, /^q has 13 different words; it takes at most 12$/],
      ['limit=0', /^limit must be a whole number from 1 to 500, not "0"$/],
      ['limit=501', /^limit must be a whole number from 1 to 500, not "501"$/],
      ['limit=100000', /^limit must be a whole number from 1 to 500, not "100000"$/],
      ['limit=1000000000', /^limit must be a whole number from 1 to 500, not "1000000000"$/],
      ['limit=2.5', /^limit must be a whole number from 1 to 500/],
      [`limit=${'9'.repeat(5_000)}`, /^limit must be a whole number from 1 to 500, not "9{40}…"$/],
      ['limit=1&limit=2', /^limit is given more than once$/],
      ['min_sources=1001', /^min_sources must be a whole number from 1 to 1000/],
      ['since=2026-02-30', /^since must be an ISO 8601 date .* on a day that exists, not "2026-02-30"$/],
      ['since=2022-13-45', /^since must be an ISO 8601 date/],
      ['since=2022-02-15T24:00:00Z', /^since must be an ISO 8601 date/],
      ['since=yesterday', /^since must be an ISO 8601 date/],
      ['source=Nobody', /^source matches no configured outlet/],
      [`source=${'s'.repeat(501)}`, /^source takes at most 500 characters, not 501$/],
      ['exclude=sports', /^exclude names an unknown topic "sports"$/],
    ];
    for (const [qs, message] of cases) {
      for (const surface of SURFACES) {
        const res = await nm.get(surface.path(qs));
        const label = `${surface.kind} ${qs.slice(0, 60)}`;
        expect(res.status, label).toBe(400);
        expect(res.headers.get('content-type'), label).toMatch(surface.kind === 'page' ? /^text\/html/ : /^application\/json/);
        expect(await messageOf(res), label).toMatch(message);
      }
    }
  });

  it('pages with a cursor on pages and the API; a feed has no pages and says so', async () => {
    for (const surface of SURFACES.filter((s) => s.kind !== 'feed')) {
      const res = await nm.get(surface.path('cursor=bogus'));
      expect(res.status).toBe(400);
      expect(await messageOf(res)).toBe('cursor is not a cursor this server handed out');
    }
    const feed = await nm.get('/topics/world.json?cursor=MTY0Njg5NjQwMDAwMDox');
    expect(feed.status).toBe(400);
    expect(await messageOf(feed)).toMatch(/^cursor pages through topic pages and \/api\/stories/);
  });

  it('treats an empty value as absent and ignores parameters it does not know', async () => {
    for (const surface of SURFACES) {
      expect((await nm.get(surface.path('q=&limit=&since=&utm_source=reader'))).status, surface.kind).toBe(200);
    }
  });

  it('reads since as a calendar date in UTC, with or without a time and offset', async () => {
    expect(parseIsoDate('2022-02-15')).toBe(Date.parse('2022-02-15T00:00:00Z'));
    expect(parseIsoDate('2022-02-15T10:00')).toBe(Date.parse('2022-02-15T10:00:00Z'));
    expect(parseIsoDate('2022-02-15T10:00:00+01:00')).toBe(Date.parse('2022-02-15T09:00:00Z'));
    expect(parseIsoDate('2024-02-29')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    for (const bad of ['2023-02-29', '2026-02-30', '2022-04-31', '2022-00-10', '2022-02-15T10:60', '2022-02-15T10:00+15:00', '15/02/2022']) expect(parseIsoDate(bad), bad).toBeNull();
    const since = new Date(FIXTURE_NOW - 6 * 3_600_000).toISOString().slice(0, 19);
    const { stories } = await nm.json<{ stories: Array<{ title: string }> }>(`/api/stories?since=${since}`);
    expect(stories).toHaveLength(2);
  });

  it('answers an unknown topic in the tag parameter with a 400, and topic paths with empty parts with a 404', async () => {
    const res = await nm.get('/api/stories?tag=world,nope');
    expect(res.status).toBe(400);
    expect(await messageOf(res)).toBe('tag names an unknown topic "nope"');
    for (const path of ['/topics/world+.rss', '/topics/+world.atom', '/topics/world++science.json']) {
      const feed = await nm.get(path);
      expect(feed.status, path).toBe(404);
      expect(feed.headers.get('content-type'), path).toMatch(/^application\/json/);
    }
    const page = await nm.get('/topics/world+');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await nm.get('/topics/world+science')).status).toBe(200);
  });

  it('answers a query string over the 16 KB header limit with a 431 and a body, HTML for a page and JSON for a feed', async () => {
    const feed = await nm.raw(`GET /topics/world.rss?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(feed).toMatch(/^HTTP\/1\.1 431 /);
    expect(feed).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(feed.slice(feed.indexOf('\r\n\r\n') + 4)).error).toMatch(/over 16 KB.*q takes at most 200 characters/);
    const page = await nm.raw(`GET /topics/world?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(page).toMatch(/^HTTP\/1\.1 431 /);
    expect(page).toMatch(/content-type: text\/html/i);
    expect(page).toContain('<h1>Request Header Fields Too Large</h1>');
    expect((await nm.get('/healthz')).status).toBe(200);
  });
});
