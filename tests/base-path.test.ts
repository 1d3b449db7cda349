import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basePathRewriter } from '../src/serve/base-path.js';
import { itemSeries, rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const T0 = Date.parse('2022-02-17T12:00:00Z');

describe('a base URL with a path prefix (behind a reverse proxy)', () => {
  let outlet: FixtureServer;
  let nm: TestApp;

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    outlet.routes.set('/feed', { body: rssFeed(itemSeries('pre', 2, T0, 3_600_000)) });
    nm = await startTestApp({ feeds: [{ url: outlet.url('/feed'), title: 'Prefixed outlet', tags: ['world'] }], baseUrl: 'https://example.org/news/', now: T0 });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlet.close();
  });

  it('answers under the prefix (a proxy that passes it) and without it (a proxy that strips it), linking with it', async () => {
    for (const path of ['/news/topics/world.rss', '/topics/world.rss']) {
      const res = await nm.get(path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('https://example.org/news/topics/world.rss');
    }
    for (const path of ['/news', '/news/', '/news?x=1', '/']) expect((await nm.get(path)).status, path).toBe(200);
    const page = await (await nm.get('/news/topics/world')).text();
    expect(page).toContain('href="https://example.org/news/stories/');
    const { stories } = await nm.json<{ stories: Array<{ url: string }> }>('/news/api/stories');
    expect(stories[0]!.url).toMatch(/^https:\/\/example\.org\/news\/stories\/\d+$/);
    expect((await nm.get(stories[0]!.url.replace('https://example.org', ''))).status).toBe(200);
  });

  it('rewrites only the prefix as a whole path segment', () => {
    const strip = basePathRewriter('https://example.org/news/')!;
    expect(strip('/news/all.json?limit=5')).toBe('/all.json?limit=5');
    expect(strip('/newsroom/x')).toBe('/newsroom/x');
    expect(strip('/news')).toBe('/');
    expect(basePathRewriter('https://example.org/')).toBeNull();
  });
});
