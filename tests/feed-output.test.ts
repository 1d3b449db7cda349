import xml2js from 'xml2js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const T = Date.parse('2022-02-16T12:00:00Z');
const NASTY_TITLE = 'Alpha ]]> beta ]]> gamma \u0001\u000b delta & <em>epsilon</em> "quoted" \uFFFE';

/** An outlet whose items carry everything that breaks naive XML output. */
function hostileJsonFeed(base: string): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Hostile outlet',
    items: [
      {
        id: 'h1',
        url: `${base}/story?a=1&b=2&c="3"`,
        title: NASTY_TITLE,
        summary: 'Summary with ]]> and \u0007 bell & ampersand',
        content_html: '<p>Body ]]> with ]]> twice</p><p>and a <a href="/rel?x=1&y=2">relative link</a></p>\u0008',
        date_published: new Date(T).toISOString(),
        authors: [{ name: 'Jo & "Co" Ltd.' }],
        tags: ['Tag ]]> one', 'Tag & two'],
        image: `${base}/img.jpg?w=1&h=2`,
        attachments: [{ url: `${base}/audio.mp3?x=1&y="2"`, mime_type: 'audio/mpeg', size_in_bytes: 1234 }],
      },
      { id: 'h2', url: `${base}/second`, title: 'A plain second story about something else entirely', content_text: 'Text with <angle> brackets & ampersands', date_published: new Date(T - 3_600_000).toISOString() },
    ],
  });
}

type XmlNode = Record<string, any>;

async function strictXml(text: string): Promise<XmlNode> {
  return (await xml2js.parseStringPromise(text, { strict: true })) as XmlNode;
}

function text(node: unknown): string {
  if (typeof node === 'string') return node;
  return (node as { _?: string })?._ ?? '';
}

describe('served feeds are well-formed and complete, whatever outlets send', () => {
  let outlet: FixtureServer;
  let second: FixtureServer;
  let nm: TestApp;

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    second = await new FixtureServer().start();
    outlet.routes.set('/feed.json', { headers: { 'content-type': 'application/feed+json' }, body: hostileJsonFeed('https://hostile.example') });
    // A second outlet carrying the same article (same link), so the story has two sources.
    second.routes.set('/feed.json', {
      headers: { 'content-type': 'application/feed+json' },
      body: JSON.stringify({ version: 'https://jsonfeed.org/version/1', title: 'Second', items: [{ id: 's1', url: 'https://hostile.example/story?b=2&a=1&c=%223%22&utm_source=x', title: 'Syndicated copy', date_published: new Date(T + 600_000).toISOString() }] }),
    });
    nm = await startTestApp({
      feeds: [
        { url: outlet.url('/feed.json'), title: 'Hostile outlet', tags: ['world'] },
        { url: second.url('/feed.json'), title: 'Second outlet', tags: ['world'] },
      ],
      now: T + 3_600_000,
      baseUrl: 'https://reader.example/news/',
    });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlet.close();
    await second.close();
  });

  it('RSS 2.0: strict XML, self link, RFC 822 dates, non-permalink guids, dc:creator', async () => {
    const doc = await strictXml(await (await nm.get('/topics/world.rss')).text());
    const channel = doc.rss.channel[0];
    expect(doc.rss.$.version).toBe('2.0');
    expect(channel['atom:link'][0].$).toMatchObject({ href: 'https://reader.example/news/topics/world.rss', rel: 'self', type: 'application/rss+xml' });
    const items = channel.item as XmlNode[];
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item.pubDate[0]).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect(item.guid[0].$.isPermaLink).toBe('false');
      expect(text(item.guid[0])).toMatch(/^urn:newsmerge:story:\d+$/);
      expect(item.link[0]).toMatch(/^https:\/\/reader\.example\/news\/stories\/\d+$/);
    }
    const nasty = items.find((i) => text(i.title[0]).startsWith('Alpha'))!;
    expect(text(nasty.title[0]).replaceAll('\u200b', '')).toBe('Alpha ]]> beta ]]> gamma delta & epsilon "quoted"');
    expect(nasty['dc:creator'][0]).toBe('Jo & "Co" Ltd.');
    expect(nasty['content:encoded'][0]).toContain('Covered by 2 outlets');
    expect(nasty.enclosure[0].$).toEqual({ url: 'https://hostile.example/audio.mp3?x=1&y=%222%22', type: 'audio/mpeg', length: '1234' });
    expect(JSON.stringify(nasty)).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('Atom 1.0: strict XML, ids, updated, authors, a related link per outlet', async () => {
    const doc = await strictXml(await (await nm.get('/topics/world.atom')).text());
    const feed = doc.feed;
    expect(feed.$.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id[0]).toBe('https://reader.example/news/topics/world.atom');
    // The feed changed when newsmerge stored the items (the fake clock), not when outlets dated them.
    expect(Date.parse(feed.updated[0])).toBe(T + 3_600_000);
    expect(feed.author[0].name[0]).toBe('newsmerge');
    expect(feed.link.map((l: XmlNode) => l.$)).toContainEqual({ rel: 'self', href: 'https://reader.example/news/topics/world.atom' });
    const entry = (feed.entry as XmlNode[]).find((e) => text(e.title[0]).includes('Alpha'))!;
    expect(text(entry.id[0])).toMatch(/^urn:newsmerge:story:\d+$/);
    expect(Date.parse(entry.updated[0])).toBeGreaterThanOrEqual(Date.parse(entry.published[0]));
    expect(entry.author[0].name[0]).toBe('Jo & "Co" Ltd.');
    const links = (entry.link as XmlNode[]).map((l) => l.$);
    expect(links.filter((l) => l.rel === 'related')).toEqual([
      { rel: 'related', href: 'https://hostile.example/story?a=1&b=2&c=%223%22', title: 'Hostile outlet' },
      { rel: 'related', href: 'https://hostile.example/story?b=2&a=1&c=%223%22', title: 'Second outlet' },
    ]);
    expect(links).toContainEqual({ rel: 'enclosure', href: 'https://hostile.example/audio.mp3?x=1&y=%222%22', type: 'audio/mpeg', length: '1234' });
    expect(entry.category.map((c: XmlNode) => c.$.term)).toEqual(['Tag ]]> one', 'Tag & two']);
  });

  it('JSON Feed 1.1: authors (not author), _newsmerge.sources, attachments', async () => {
    const feed = (await nm.json<Record<string, any>>('/topics/world.json')) as Record<string, any>;
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed).not.toHaveProperty('author');
    expect(feed.authors).toEqual([{ name: 'newsmerge', url: 'https://reader.example/news/' }]);
    const item = feed.items.find((i: Record<string, any>) => i.title.startsWith('Alpha'));
    expect(item).not.toHaveProperty('author');
    expect(item.authors).toEqual([{ name: 'Jo & "Co" Ltd.' }]);
    expect(item._newsmerge.sources).toEqual([
      { name: 'Hostile outlet', url: 'https://hostile.example/story?a=1&b=2&c=%223%22', title: 'Alpha ]]> beta ]]> gamma delta & epsilon "quoted"', published: new Date(T).toISOString(), lean: null, country: null },
      { name: 'Second outlet', url: 'https://hostile.example/story?b=2&a=1&c=%223%22', title: 'Syndicated copy', published: new Date(T + 600_000).toISOString(), lean: null, country: null },
    ]);
    expect(item.attachments).toEqual([{ url: 'https://hostile.example/audio.mp3?x=1&y=%222%22', mime_type: 'audio/mpeg', size_in_bytes: 1234 }]);
    expect(item.image).toBe('https://hostile.example/img.jpg?w=1&h=2');
    for (const key of Object.keys(item)) expect(['id', 'url', 'external_url', 'title', 'content_html', 'summary', 'image', 'date_published', 'date_modified', 'authors', 'tags', 'attachments', '_newsmerge']).toContain(key);
  });
});
