import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const rss = (items: string, prolog = '') => `<?xml version="1.0"?>${prolog}<rss version="2.0"><channel><title>Hostile</title>${items}</channel></rss>`;

const BILLION_LAUGHS = `<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>`;
const XXE = `<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote; ]>`;

interface ApiFeed {
  title: string;
  lastError: string | null;
  lastStatus: number | null;
  itemCount: number;
}

describe('hostile feeds are refused or truncated, and the poller keeps going', () => {
  let outlet: FixtureServer;
  let nm: TestApp;
  const log: string[] = [];
  const feeds: Record<string, ApiFeed> = {};
  const titles = new Map<string, string[]>();
  const published = new Map<string, number[]>();

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    outlet.routes.set('/laughs', { body: rss('<item><title>Laugh &lol9; end</title><link>https://h.example/1</link></item>', BILLION_LAUGHS) });
    outlet.routes.set('/xxe', { body: rss('<item><title>Secret: &xxe;</title><link>https://h.example/2</link></item>', XXE) });
    // Announces a gigabyte and would send it: refused on the Content-Length, nothing allocated.
    outlet.routes.set('/gigabyte', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(1024 ** 3) });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    // Chunked, no length: read until the 10 MiB cap, then cut.
    outlet.routes.set('/unbounded', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.from(`<item><title>${'x'.repeat(60_000)}</title></item>`);
      res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    // A few bytes a second, forever: stopped by the total timeout.
    outlet.routes.set('/endless', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      const timer = setInterval(() => res.write('<!-- still here -->'), 200);
      res.on('close', () => clearInterval(timer));
    });
    outlet.routes.set('/bad-utf8', {
      headers: { 'content-type': 'application/rss+xml; charset=utf-8' },
      body: Buffer.concat([
        Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><item><title>Caf'),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
        Buffer.from(' au lait</title><link>https://h.example/3</link></item></channel></rss>'),
      ]),
    });
    outlet.routes.set('/dates', {
      body: rss(
        '<item><title>From the year one</title><link>https://h.example/4</link><pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>' +
          '<item><title>From the far future</title><link>https://h.example/5</link><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>',
      ),
    });
    // Ten MiB of empty items is over a million of them: cut to maxItemsPerFeed before parsing.
    outlet.routes.set('/million', { body: rss('<item/>'.repeat(1_400_000)) });
    outlet.routes.set('/huge-title', { body: rss(`<item><title>${'Long '.repeat(200_000)}</title><link>https://h.example/6</link><description>${'d'.repeat(1_000_000)}</description></item>`) });
    outlet.routes.set('/normal', { body: rss('<item><title>An ordinary story that must still arrive</title><link>https://h.example/ok</link></item>') });

    const names = ['laughs', 'xxe', 'gigabyte', 'unbounded', 'endless', 'bad-utf8', 'dates', 'million', 'huge-title', 'normal'];
    nm = await startTestApp({ feeds: names.map((n) => ({ url: outlet.url(`/${n}`), title: n, tags: ['world'] })), config: { fetchTimeout: '2s' }, now: NOW, log });
    await nm.pollAll();
    for (const f of (await nm.json<{ feeds: ApiFeed[] }>('/api/feeds')).feeds) feeds[f.title] = f;
    const rows = nm.app.store.db.prepare('SELECT f.outlet AS feed, i.title AS title, i.published_at AS published FROM items i JOIN feeds f ON f.id = i.feed_id').all() as Array<{ feed: string; title: string; published: number }>;
    for (const r of rows) {
      titles.set(r.feed, [...(titles.get(r.feed) ?? []), r.title]);
      published.set(r.feed, [...(published.get(r.feed) ?? []), r.published]);
    }
  }, 60_000);

  afterAll(async () => {
    await nm.close();
    await outlet.close();
  });

  it('never expands DTD entities: billion laughs stays small, external entities read nothing', () => {
    expect(feeds.laughs).toMatchObject({ lastError: null, itemCount: 1 });
    expect(titles.get('laughs')).toEqual(['Laugh &lol9; end']);
    expect(feeds.xxe).toMatchObject({ lastError: null, itemCount: 1 });
    expect(titles.get('xxe')![0]).toBe('Secret: &xxe;');
    expect(titles.get('xxe')![0]).not.toContain('root:');
  });

  it('refuses bodies past 10 MiB, announced or not, and bodies that never end', () => {
    expect(feeds.gigabyte!.lastError).toBe(`too-large: body of ${1024 ** 3} bytes is over the limit of 10485760 bytes`);
    expect(feeds.unbounded!.lastError).toBe('too-large: body is over the limit of 10485760 bytes');
    expect(feeds.endless!.lastError).toBe('timeout: timed out after 2 s');
  });

  it('replaces invalid UTF-8 instead of failing the feed', () => {
    expect(feeds['bad-utf8']).toMatchObject({ lastError: null, itemCount: 1 });
    expect(titles.get('bad-utf8')![0]).toBe('Caf\uFFFD(\uFFFD\uFFFD au lait');
  });

  it('reads implausible dates as unknown (year 1) or clamps them to the fetch time (year 9999)', () => {
    expect(feeds.dates!.itemCount).toBe(2);
    expect(published.get('dates')).toEqual([NOW, NOW]);
  });

  it('cuts a million items to maxItemsPerFeed before parsing, saying so in the log and the API', () => {
    expect(feeds.million).toMatchObject({ lastError: null, lastWarning: expect.stringMatching(/^\d{6,} items beyond the first 1000 \(maxItemsPerFeed\) were dropped unread$/) });
    expect(feeds.normal).toMatchObject({ lastWarning: null });
    expect(log.some((l) => l.includes('"feed":"' + outlet.url('/million') + '"') && l.includes('items over maxItemsPerFeed dropped'))).toBe(true);
  });

  it('truncates megabyte titles and summaries', () => {
    const [title] = titles.get('huge-title')!;
    expect(title!.length).toBeLessThanOrEqual(300);
    expect(title!.endsWith('…')).toBe(true);
    const summary = nm.app.store.db.prepare(`SELECT length(summary) FROM items WHERE link = 'https://h.example/6'`).pluck().get() as number;
    expect(summary).toBeLessThanOrEqual(600);
  });

  it('still stores and serves the ordinary feed polled in the same cycle', async () => {
    expect(feeds.normal).toMatchObject({ lastError: null, itemCount: 1 });
    const served = await nm.json<{ items: Array<{ title: string }> }>('/topics/world.json');
    expect(served.items.map((i) => i.title)).toContain('An ordinary story that must still arrive');
    expect((await nm.get('/healthz')).status).toBe(200);
  });
});
