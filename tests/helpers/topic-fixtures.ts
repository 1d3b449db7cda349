import { rssFeed, type TestItem } from './feed-builder.js';
import { FixtureServer } from './fixture-server.js';
import { startTestApp, type TestApp, type TestAppOptions, type TestFeed } from './test-app.js';

const H = 3_600_000;

/** Newest published time of the topic fixtures. */
export const FIXTURE_NOW = Date.parse('2022-03-10T12:00:00Z');

/**
 * Three outlets with five clearly distinct events (no two share meaningful words), merged only by exact keys:
 * S1 volcano (A and B share the link), S5 election (A and C share the headline), the rest single-outlet.
 */
export const TOPIC_ITEMS: Record<'A' | 'B' | 'C', TestItem[]> = {
  A: [
    { title: 'Volcano erupts near Grindavik, forcing evacuation of fishing town', link: 'https://a.example/iceland-volcano?utm_source=rss', guid: 'a1', date: FIXTURE_NOW - 5 * H, description: 'Lava fountains reached the outskirts overnight.' },
    { title: 'Storm Eunice brings record winds to southern England', link: 'https://a.example/storm-eunice', guid: 'a2', date: FIXTURE_NOW - 30 * H, description: 'Gusts of 122 mph were measured on the Isle of Wight.' },
    { title: 'Election commission certifies results in disputed district', link: 'https://a.example/certified', guid: 'a3', date: FIXTURE_NOW - 2 * H, description: 'Officials signed off after a manual recount.' },
  ],
  B: [
    { title: 'Icelandic town evacuated as lava flows toward harbour', link: 'https://www.a.example/iceland-volcano/', guid: 'b1', date: FIXTURE_NOW - 4 * H, description: 'Syndicated report on the eruption.' },
    { title: 'Researchers map the genome of the Greenland shark', link: 'https://b.example/shark-genome', guid: 'b2', date: FIXTURE_NOW - 20 * H, description: 'The animal can live for four centuries.' },
  ],
  C: [
    { title: 'Parliament approves pension reform after marathon session', link: 'https://c.example/pensions', guid: 'c1', date: FIXTURE_NOW - 10 * H, description: 'The retirement age rises gradually to 64.' },
    { title: 'Election Commission Certifies Results in Disputed District!', link: 'https://c.example/district', guid: 'c2', date: FIXTURE_NOW - 1 * H, description: 'Turnout was the highest in decades.' },
  ],
};

/** Serves the three outlets' feeds from `server` and returns their config entries (A: world, B: world+science, C: politics). */
export function serveTopicOutlets(server: FixtureServer, items = TOPIC_ITEMS): TestFeed[] {
  for (const name of ['A', 'B', 'C'] as const) {
    server.routes.set(`/${name}.rss`, { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(items[name], { title: `Outlet ${name}` }) });
  }
  return [
    { url: server.url('/A.rss'), title: 'Outlet A', tags: ['world'] },
    // topicMode "all": these fixtures are about feeds, unions and merging, not item-level topics (tests/item-topics.test.ts).
    { url: server.url('/B.rss'), title: 'Outlet B', tags: ['world', 'science'], topicMode: 'all' },
    { url: server.url('/C.rss'), title: 'Outlet C', tags: ['politics'] },
  ];
}

/** A newsmerge over the three topic outlets (started with `options` besides), polled once; `close` stops both. */
export async function polledTopicApp(options: Omit<TestAppOptions, 'feeds' | 'now'> = {}): Promise<{ nm: TestApp; outlets: FixtureServer; close: () => Promise<void> }> {
  const outlets = await new FixtureServer().start();
  const nm = await startTestApp({ ...options, feeds: serveTopicOutlets(outlets), now: FIXTURE_NOW });
  await nm.pollAll();
  return { nm, outlets, close: async () => (await nm.close(), await outlets.close()) };
}
