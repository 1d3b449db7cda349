import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer } from '../helpers/fixture-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { FIXTURE_NOW, serveTopicOutlets } from '../helpers/topic-fixtures.js';
import { freePort } from '../helpers/waiting.js';
import { launchChromium } from './chromium.js';

// Runs in the page (tests are type-checked without the DOM library).
declare function getComputedStyle(element: unknown): { color: string; textDecorationLine: string };

/** The visible texts of every element a locator matches, trimmed. */
async function texts(locator: Locator): Promise<string[]> {
  return (await locator.allInnerTexts()).map((t) => t.trim());
}

/** Horizontal overflow of the document: more than 0 means a phone user has to scroll sideways. */
async function overflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

describe('error pages, feed status, all topics and story links in a browser', () => {
  let outlets: FixtureServer;
  let nm: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    // One outlet that cannot be reached, so the home page has feed health to show.
    const feeds = [...serveTopicOutlets(outlets), { url: 'http://127.0.0.1:9/feed', title: 'Refused Outlet', tags: ['world'] }];
    // Links are absolute: the base URL must be where the browser finds the server.
    const port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    nm = await startTestApp({ feeds, now: FIXTURE_NOW, baseUrl: base, env: { PORT: String(port) } });
    await nm.pollAll();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await nm?.close();
    await outlets?.close();
  });

  it('answers a search for "*" with an HTML page that explains and leads back', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}topics/world`);
    await page.fill('input[name="q"]', '*');
    const [response] = await Promise.all([page.waitForResponse(/q=/), page.press('input[name="q"]', 'Enter')]);
    expect(response.status()).toBe(400);
    expect(await texts(page.locator('h1'))).toEqual(['This request cannot be answered']);
    expect(await texts(page.locator('[role="alert"]'))).toEqual(['400 · q has no words to search for: it needs a letter or digit']);
    // The site's layout: header navigation is there.
    expect(await texts(page.locator('header nav a'))).toEqual(['World', 'Politics', 'Science']);
    await page.locator('main a', { hasText: 'Show this page without its parameters' }).click();
    await page.waitForURL(`${base}topics/world`);
    expect(await texts(page.locator('h1'))).toEqual(['World']);

    const missing = await page.goto(`${base}stories/abc`);
    expect(missing!.status()).toBe(404);
    expect(await texts(page.locator('h1'))).toEqual(['Page not found']);
    await page.locator('main a', { hasText: 'Front page' }).click();
    await page.waitForURL(base);
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const favicon = await page.request.get(icon!);
    expect(favicon.status()).toBe(200);
    expect(favicon.headers()['content-type']).toBe('image/svg+xml');
    await page.close();
  });

  it('makes headlines look like links: underlined, and the accent colour on hover', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}topics/world`);
    const headline = page.locator('article.story h3 a').first();
    const style = () => headline.evaluate((a) => ({ color: getComputedStyle(a).color, line: getComputedStyle(a).textDecorationLine }));
    const before = await style();
    expect(before.line).toBe('underline');
    await headline.hover();
    const after = await style();
    expect(after.color).not.toBe(before.color);
    expect(after.color).toBe(await page.locator('header nav a').first().evaluate((a) => getComputedStyle(a).color));
    await page.close();
  });

  it('shows failing feeds on the home page and each feed on /feeds, readable on a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(base);
    const notice = page.locator('.feed-health');
    expect(await texts(notice.locator('p').first())).toEqual(['1 of 4 feeds failed on their last fetch:']);
    expect(await texts(notice.locator('li'))).toEqual(['network: connection refused']);
    await notice.locator('a', { hasText: 'Status of each feed' }).click();
    await page.waitForURL(`${base}feeds`);
    expect(await texts(page.locator('h1'))).toEqual(['Feed status']);
    const rows = page.locator('table.feeds tbody tr');
    expect(await texts(rows.locator('td:first-child strong'))).toEqual(['Outlet A', 'Outlet B', 'Outlet C', 'Refused Outlet']);
    expect(await texts(rows.nth(3).locator('.failing'))).toEqual(['network: connection refused']);
    expect((await texts(rows.nth(0).locator('td.last')))[0]).toMatch(/^OK \(HTTP 200\) · \d+ \w+ 2022/);
    expect(await texts(rows.locator('td:last-child'))).toEqual(['3', '2', '2', '0']);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.close();
  });

  it('lists every topic on /all and links a story back to its topics and feeds', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}all`);
    expect(await texts(page.locator('h1'))).toEqual(['All topics']);
    expect(await page.locator('article.story').count()).toBe(5);
    await page.fill('input[name="q"]', 'pension');
    await page.press('input[name="q"]', 'Enter');
    await page.waitForURL(/\/all\?q=pension/);
    expect(await texts(page.locator('article.story h3'))).toEqual(['Parliament approves pension reform after marathon session']);
    await page.locator('article.story h3 a').click();
    await page.waitForURL(/\/stories\/\d+$/);
    expect(await texts(page.locator('nav.story-topics a'))).toEqual(['Politics', 'All topics']);
    expect(await texts(page.locator('section.follow .subscribe a'))).toEqual(['RSS', 'Atom', 'JSON Feed', 'RSS', 'Atom', 'JSON Feed']);
    await page.locator('nav.story-topics a', { hasText: 'Politics' }).click();
    await page.waitForURL(`${base}topics/politics`);
    expect(await texts(page.locator('h1'))).toEqual(['Politics']);
    await page.close();
  });
});
