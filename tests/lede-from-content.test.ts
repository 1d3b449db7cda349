import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledeText } from '../src/cluster/item-lede.js';
import { LEDE_CHARS, profileItem, type ItemProfile } from '../src/dedup/item-profile.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const MIN = 60_000;
const T0 = Date.parse('2022-03-08T12:00:00Z');

const RSS_NS = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"';

function rss(items: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ${RSS_NS}><channel><title>Outlet</title><link>https://outlet.example/</link><description>test</description>\n${items.join('\n')}\n</channel></rss>`;
}

function rssItem(o: { title: string; link: string; date: number; description: string | null; content?: string }): string {
  return `<item><title>${o.title}</title><link>${o.link}</link><guid>${o.link}</guid><pubDate>${new Date(o.date).toUTCString()}</pubDate>${
    o.description === null ? '' : `<description><![CDATA[${o.description}]]></description>`
  }${o.content ? `<content:encoded><![CDATA[${o.content}]]></content:encoded>` : ''}</item>`;
}

// The ferry story as two outlets tell it: vague headlines, a teaser for a summary; the event is only in the body.
const HARBOUR_BODY =
  '<figure><img src="/img/ferry.jpg" alt=""><figcaption>Photo: Harbour Times staff</figcaption></figure>' +
  '<p>A passenger ferry carrying 240 people capsized near Pemba island off Zanzibar late on Tuesday, Tanzanian officials said.</p>' +
  '<p>Rescue boats pulled 87 survivors from the water overnight while dozens of passengers remain missing.</p>' +
  `<p>${'The port authority said the vessel had been inspected in January. '.repeat(40)}</p>`;
const COAST_BODY =
  '<p>Tanzanian rescuers searched the sea off Pemba island on Wednesday after a passenger ferry carrying 240 people capsized near Zanzibar overnight.</p>' +
  '<p>Officials said 87 survivors had been pulled from the water and dozens of passengers were still missing.</p>';

function harbourFeed(withBody: boolean): string {
  return rss([
    rssItem({ title: 'A night of sirens on the coast', link: 'https://harbour.example/ferry', date: T0 - 30 * MIN, description: 'Read the full story on our website.', content: withBody ? HARBOUR_BODY : undefined }),
  ]);
}

function coastFeed(withBody: boolean): object {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Coast Daily',
    items: [
      {
        id: 'coast-ferry',
        url: 'https://coast.example/ferry',
        title: 'What we know so far',
        summary: 'Live updates.',
        ...(withBody ? { content_html: COAST_BODY } : {}),
        date_published: new Date(T0 - 20 * MIN).toISOString(),
      },
    ],
  };
}

describe('the lede comes from the content when the summary says less', () => {
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

  async function start(paths: string[]): Promise<TestApp> {
    nm = await startTestApp({ feeds: paths.map((p) => ({ url: outlets.url(p), title: `Outlet ${p}`, outlet: `Outlet ${p}`, tags: ['world'] })), now: T0 });
    await nm.pollAll();
    return nm;
  }

  function stored(app: TestApp, link: string): { summary: string; content: string | null; storyId: number; profile: ItemProfile } {
    const row = app.app.store.db
      .prepare('SELECT i.summary AS summary, i.content AS content, i.story_id AS storyId, p.profile AS profile FROM items i JOIN item_profiles p ON p.item_id = i.id WHERE i.link = ?')
      .get(link) as { summary: string; content: string | null; storyId: number; profile: string } | undefined;
    expect(row, link).toBeDefined();
    return { ...row!, profile: JSON.parse(row!.profile) as ItemProfile };
  }

  it('profiles RSS content:encoded, Atom <content> and JSON Feed content_text when the summary is empty or a teaser', async () => {
    outlets.routes.set('/rss', {
      body: rss([
        rssItem({ title: 'Storm closes mountain passes', link: 'https://rss.example/empty', date: T0 - 50 * MIN, description: '<p>&nbsp;</p>', content: '<p>Heavy snow closed the Brenner and Gotthard passes on Monday, stranding 3,000 lorries near Innsbruck.</p>' }),
        rssItem({ title: 'Budget vote tonight', link: 'https://rss.example/teaser', date: T0 - 45 * MIN, description: 'Read more.', content: '<p>Estonia\'s parliament votes on a 14.2 billion euro budget that raises defence spending to 3% of output.</p>' }),
      ]),
    });
    outlets.routes.set('/atom', {
      headers: { 'content-type': 'application/atom+xml' },
      body: `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom outlet</title><id>urn:atom</id><updated>2022-03-08T11:00:00Z</updated>
<entry><title>Rover finds clay</title><id>urn:atom:1</id><link href="https://atom.example/rover"/><updated>2022-03-08T11:00:00Z</updated>
<content type="html">&lt;p&gt;NASA's Perseverance rover found clay minerals in Jezero crater, scientists in Pasadena said on Tuesday.&lt;/p&gt;</content></entry></feed>`,
    });
    outlets.routes.set('/json', {
      headers: { 'content-type': 'application/feed+json' },
      body: JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'JSON outlet',
        items: [{ id: 'j1', url: 'https://json.example/quake', title: 'Quake felt in capital', content_text: 'A magnitude 6.1 earthquake struck off Hokkaido on Sunday, Japan\'s meteorological agency said.\n\nNo tsunami warning was issued.', date_published: new Date(T0 - 40 * MIN).toISOString() }],
      }),
    });
    const app = await start(['/rss', '/atom', '/json']);
    const cases = [
      { link: 'https://rss.example/empty', title: 'Storm closes mountain passes', text: 'Heavy snow closed the Brenner and Gotthard passes on Monday, stranding 3,000 lorries near Innsbruck.' },
      { link: 'https://rss.example/teaser', title: 'Budget vote tonight', text: "Estonia's parliament votes on a 14.2 billion euro budget that raises defence spending to 3% of output." },
      { link: 'https://atom.example/rover', title: 'Rover finds clay', text: "NASA's Perseverance rover found clay minerals in Jezero crater, scientists in Pasadena said on Tuesday." },
      { link: 'https://json.example/quake', title: 'Quake felt in capital', text: "A magnitude 6.1 earthquake struck off Hokkaido on Sunday, Japan's meteorological agency said. No tsunami warning was issued." },
    ];
    for (const c of cases) {
      const item = stored(app, c.link);
      expect(item.profile.lede, c.link).toEqual(profileItem(c.title, c.text).lede);
      expect(item.profile.lede.length, c.link).toBeGreaterThan(8);
    }
    // Served summaries: a summary without text takes the body's text; a teaser stays what the outlet wrote.
    expect(stored(app, 'https://rss.example/empty').summary).toBe(cases[0]!.text);
    expect(stored(app, 'https://rss.example/teaser').summary).toBe('Read more.');
    const teaser = (await app.json<{ items: Array<{ url: string; summary?: string; content_html: string }> }>('/topics/world.json')).items.find((i) => i.url === 'https://rss.example/teaser');
    expect(teaser?.summary ?? '').not.toContain('Estonia');
  });

  it('keeps the lede bounded and leaves figure captions out', () => {
    const lede = ledeText({ summary: 'Read the full story on our website.', content: HARBOUR_BODY });
    expect(lede.startsWith('A passenger ferry carrying 240 people')).toBe(true);
    expect(lede).not.toContain('Photo');
    // The body runs to thousands of characters; only its opening is read.
    expect(lede.length).toBeLessThan(LEDE_CHARS + 4096);
    const profile = profileItem('A night of sirens on the coast', lede);
    expect(profile.lede.length).toBeLessThanOrEqual(LEDE_CHARS / 2);
    // A summary that fills the lede is the outlet's own lede: kept.
    const long = 'Officials said '.repeat(30).trim();
    expect(ledeText({ summary: long, content: HARBOUR_BODY })).toBe(long);
  });

  it('merges two outlets whose event is only in their bodies, which stay apart without them', async () => {
    outlets.routes.set('/harbour', { body: harbourFeed(true) });
    outlets.routes.set('/coast', { headers: { 'content-type': 'application/feed+json' }, body: JSON.stringify(coastFeed(true)) });
    outlets.routes.set('/harbour-teaser', { body: harbourFeed(false) });
    outlets.routes.set('/coast-teaser', { headers: { 'content-type': 'application/feed+json' }, body: JSON.stringify(coastFeed(false)) });

    const withBodies = await start(['/harbour', '/coast']);
    const harbour = stored(withBodies, 'https://harbour.example/ferry');
    const coast = stored(withBodies, 'https://coast.example/ferry');
    expect(harbour.profile.names).toEqual(expect.arrayContaining(['pemba', 'zanzibar']));
    expect(coast.storyId).toBe(harbour.storyId);
    await withBodies.close();
    nm = null;

    // The same items with only their teasers: what the profiles held before the body was read.
    const teasersOnly = await start(['/harbour-teaser', '/coast-teaser']);
    expect(stored(teasersOnly, 'https://coast.example/ferry').storyId).not.toBe(stored(teasersOnly, 'https://harbour.example/ferry').storyId);
  });
});
