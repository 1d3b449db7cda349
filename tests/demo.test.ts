import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FEEDS, DEMO_TYPES, demoConfig, renderDemoFeed } from '../scripts/demo-outlets.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const NOW = Date.parse('2022-02-17T12:00:00Z');

interface JsonFeed {
  items: Array<{ title: string }>;
}

/** What `npm run demo` shows: its outlets and its config, polled once. */
describe('the demo', () => {
  let outlets: FixtureServer;
  let nm: TestApp;

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    const host = new URL(outlets.url('/')).host;
    for (const feed of DEMO_FEEDS) {
      outlets.routes.set(`/outlets/${feed.file}`, { headers: { 'content-type': DEMO_TYPES[feed.file.split('.').pop()!]! }, body: renderDemoFeed(feed.file, host, NOW) });
    }
    const { feeds, topics, ...config } = demoConfig(outlets.url('/outlets/'));
    nm = await startTestApp({ feeds, topics, config: { outlets: config.outlets }, now: NOW });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
  });

  it('shows business stories only on the Business page', async () => {
    const titles = (await nm.json<JsonFeed>('/topics/business.json')).items.map((i) => i.title);
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(title).not.toMatch(/Floods|Senate|troops|NATO|exoplanet/i);
    const world = (await nm.json<JsonFeed>('/topics/world.json')).items.map((i) => i.title);
    expect(world.some((t) => /Floods/.test(t))).toBe(true);
  });

  it('shows the Russian troop reports as one entry, with the NATO report as its related coverage', async () => {
    const items = (await nm.json<{ items: Array<{ id: string; title: string; _newsmerge: { sources: unknown[]; related: Array<{ id: string; title: string }> } }> }>('/topics/world.json')).items;
    const troops = items.filter((i) => /troops/i.test(i.title));
    expect(troops, 'one entry for the troop reports').toHaveLength(1);
    expect(troops[0]!._newsmerge.sources.length).toBeGreaterThanOrEqual(2);
    const nato = items.find((i) => /NATO/.test(i.title))!;
    expect(troops[0]!._newsmerge.related.map((r) => r.id)).toEqual([nato.id]);
    expect(nato._newsmerge.related.map((r) => r.id)).toEqual([troops[0]!.id]);
  });

  it('shows a blindspot of each side', async () => {
    for (const side of ['left', 'right']) {
      const items = (await nm.json<JsonFeed>(`/all.json?blindspot=${side}`)).items;
      expect(items.length, side).toBeGreaterThan(0);
    }
    const page = await (await nm.get('/blindspots')).text();
    expect(page).toContain('blindspot=left');
    expect(page).toContain('blindspot=right');
  });
});
