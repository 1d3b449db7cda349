import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssFeed } from '../helpers/feed-builder.js';
import { FixtureServer } from '../helpers/fixture-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { FIXTURE_NOW, TOPIC_ITEMS } from '../helpers/topic-fixtures.js';
import { freePort } from '../helpers/waiting.js';
import { launchChromium } from './chromium.js';

/** The visible texts of every element a locator matches, trimmed. */
async function texts(locator: Locator): Promise<string[]> {
  return (await locator.allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' '));
}

// The volcano story (A + B) is covered by the center and the right only: the left's blindspot. The election
// story (A + C) by the center and the left: the right's.
const PROFILES = {
  'Outlet A': { country: 'GB', language: 'en', lean: 'center', owner: 'A Media' },
  'Outlet B': { country: 'US', language: 'en', lean: 'right' },
  'Outlet C': { country: 'IE', language: 'en', lean: 'left' },
};

describe('who covers it, in a browser', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    for (const name of ['A', 'B', 'C'] as const) outlets.routes.set(`/${name}.rss`, { body: rssFeed(TOPIC_ITEMS[name], { title: `Outlet ${name}` }) });
    const port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    nm = await startTestApp({
      feeds: [
        { url: outlets.url('/A.rss'), title: 'Outlet A', tags: ['world'] },
        { url: outlets.url('/B.rss'), title: 'Outlet B', tags: ['world'] },
        { url: outlets.url('/C.rss'), title: 'Outlet C', tags: ['politics'] },
      ],
      config: { outlets: PROFILES },
      now: FIXTURE_NOW,
      baseUrl: base,
      env: { PORT: String(port) },
    });
    await nm.pollAll();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await nm?.close();
    await outlets?.close();
  });

  it('shows a proportional bar with the counts in words, and outlet badges with lean and country', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}topics/world`);
    const volcano = page.locator('article.story', { hasText: 'Volcano erupts near Grindavik' });
    expect(await texts(volcano.locator('.ctext'))).toEqual(['Coverage: 0 left · 1 center · 1 right']);
    // The outlet badges of a listing are unchanged; the bar is beside them.
    expect(await texts(volcano.locator('.badge'))).toEqual(['Outlet A', 'Outlet B']);
    await volcano.locator('h3 a').click();
    await page.waitForURL(/\/stories\/\d+$/);
    const bar = page.locator('.who-covers .cbar');
    expect(await bar.getAttribute('aria-label')).toBe('Coverage by lean: 0 left, 1 center, 1 right, 0 unrated');
    expect(await texts(page.locator('.who-covers .ctext').first())).toEqual(['Coverage: 0 left · 1 center · 1 right']);
    const [center, right] = [await bar.locator('.center').boundingBox(), await bar.locator('.right').boundingBox()];
    expect(center!.width).toBeGreaterThan(0);
    expect(Math.abs(center!.width - right!.width)).toBeLessThanOrEqual(1);
    expect(right!.x).toBeGreaterThan(center!.x);
    expect(await texts(page.locator('.who-covers .badge.outlet'))).toEqual(['Outlet A center GB', 'Outlet B right US']);
    expect(await page.locator('.who-covers .badge.outlet').first().getAttribute('title')).toBe('Owner: A Media');
    expect(await texts(page.locator('.who-covers .spread'))).toEqual(['Countries: GB 1 · US 1 — Languages: en 2']);
    await page.close();
  });

  it('lists each side\'s blindspots per topic, with subscribe links to the matching feeds', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.locator('footer a', { hasText: 'Blindspots' }).click();
    await page.waitForURL(`${base}blindspots`);
    expect(await texts(page.locator('h1'))).toEqual(['Blindspots']);
    const world = page.locator('section[data-topic="world"]');
    const notLeft = world.locator('[data-side="left"]');
    expect(await texts(notLeft.locator('h3').first())).toEqual(['Not covered by the left']);
    expect(await texts(notLeft.locator('article.story h3'))).toEqual(['Volcano erupts near Grindavik, forcing evacuation of fishing town']);
    const rss = await notLeft.locator('.subscribe a', { hasText: 'RSS' }).getAttribute('href');
    expect(rss).toBe(`${base}topics/world.rss?blindspot=left`);
    const feed = await fetch(rss!);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('Coverage: 0 left · 1 center · 1 right');
    const notRight = page.locator('section[data-topic="politics"] [data-side="right"]');
    const election = await texts(notRight.locator('article.story h3'));
    expect(election).toHaveLength(1);
    expect(election[0]).toMatch(/^Election commission certifies results in disputed district/i);
    // Follows a story of a blindspot list to its page.
    await notLeft.locator('article.story h3 a').click();
    await page.waitForURL(/\/stories\/\d+$/);
    expect(await texts(page.locator('h1'))).toEqual(['Volcano erupts near Grindavik, forcing evacuation of fishing town']);
    await page.close();
  });

  it('filters a topic page and explains a wrong value on the error page', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}topics/world?blindspot=left`);
    expect(await texts(page.locator('article.story h3'))).toEqual(['Volcano erupts near Grindavik, forcing evacuation of fishing town']);
    // A search keeps the filter.
    await page.fill('input[name="q"]', 'lava');
    await page.press('input[name="q"]', 'Enter');
    await page.waitForURL(/q=lava/);
    expect(new URL(page.url()).searchParams.get('blindspot')).toBe('left');
    expect(await texts(page.locator('article.story h3'))).toEqual(['Volcano erupts near Grindavik, forcing evacuation of fishing town']);
    await page.fill('input[name="q"]', 'storm');
    await page.press('input[name="q"]', 'Enter');
    await page.waitForURL(/q=storm/);
    expect(await page.locator('article.story').count()).toBe(0);
    const response = await page.goto(`${base}topics/world?lean=far-left`);
    expect(response!.status()).toBe(400);
    expect((await texts(page.locator('.notice')))[0]).toMatch(/^400 · lean takes one or more of left, lean-left, center, lean-right, right/);
    await page.close();
  });
});
