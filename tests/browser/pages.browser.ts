import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer } from '../helpers/fixture-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { FIXTURE_NOW, serveTopicOutlets } from '../helpers/topic-fixtures.js';
import { freePort } from '../helpers/waiting.js';
import { launchChromium } from './chromium.js';

/** The visible texts of every element a locator matches, trimmed. */
async function texts(locator: Locator): Promise<string[]> {
  return (await locator.allInnerTexts()).map((t) => t.trim());
}

describe('what a person sees in a browser', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    nm = await startTestApp({ feeds: serveTopicOutlets(outlets), now: FIXTURE_NOW, baseUrl: base, env: { PORT: String(port) } });
    await nm.pollAll();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await nm?.close();
    await outlets?.close();
  });

  it('opens the home page, follows a topic and a story', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    expect(await texts(page.locator('h1'))).toEqual(['newsmerge']);
    expect(await page.locator('link[rel="alternate"]').count()).toBe(12);
    expect(await texts(page.locator('section.topic h2'))).toEqual(['World', 'Politics', 'Science']);

    await page.locator('section.topic h2 a', { hasText: 'World' }).click();
    await page.waitForURL(`${base}topics/world`);
    expect(await texts(page.locator('h1'))).toEqual(['World']);
    const volcano = page.locator('article.story', { hasText: 'Volcano erupts near Grindavik' });
    expect(await texts(volcano.locator('.count'))).toEqual(['2 outlets']);
    expect(await texts(volcano.locator('.badge'))).toEqual(['Outlet A', 'Outlet B']);

    await volcano.locator('h3 a').click();
    await page.waitForURL(/\/stories\/\d+$/);
    expect(await texts(page.locator('h1'))).toEqual(['Volcano erupts near Grindavik, forcing evacuation of fishing town']);
    expect(await texts(page.locator('.count'))).toEqual(['Covered by 2 outlets']);
    const cards = page.locator('.coverage article');
    expect(await texts(cards.locator('h3'))).toEqual(['Volcano erupts near Grindavik, forcing evacuation of fishing town', 'Icelandic town evacuated as lava flows toward harbour']);
    // Side by side on a wide screen: both cards start on the same row.
    const [a, b] = [await cards.nth(0).boundingBox(), await cards.nth(1).boundingBox()];
    expect(a!.y).toBe(b!.y);
    expect(b!.x).toBeGreaterThan(a!.x);
    await page.close();
  });

  it('searches a topic and stays readable on a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(`${base}topics/world`);
    await page.fill('input[name="q"]', 'lava');
    await page.press('input[name="q"]', 'Enter');
    await page.waitForURL(/q=lava/);
    expect(await texts(page.locator('article.story h3'))).toEqual(['Volcano erupts near Grindavik, forcing evacuation of fishing town']);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });
});
