import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp } from './helpers/test-app.js';

const SEED = join(import.meta.dirname, 'fixtures/seed');

interface ApiFeed {
  title: string;
  lastFetchedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  itemCount: number;
}

describe('outlets that fail', () => {
  let outlet: FixtureServer;
  let nm: TestApp;
  const dataDir = tempDir();

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    outlet.file('/wire.rss', join(SEED, 'wire.rss.xml'));
    outlet.routes.set('/missing', { status: 404 });
    outlet.routes.set('/crash', { status: 500 });
    outlet.routes.set('/garbage', { headers: { 'content-type': 'application/rss+xml' }, body: '\u0000\u0001 this is not a feed <<<' });
    outlet.routes.set('/html', { headers: { 'content-type': 'text/html' }, body: '<!doctype html><html><body>Subscribe!</body></html>' });
    outlet.routes.set('/truncated', { body: '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>cut' });
    const feeds = [
      ['/wire.rss', 'Wire'],
      ['/missing', 'Missing'],
      ['/crash', 'Crash'],
      ['/garbage', 'Garbage'],
      ['/html', 'Html'],
      ['/truncated', 'Truncated'],
    ].map(([path, title]) => ({ url: outlet.url(path!), title: title!, tags: ['world'] }));
    feeds.push({ url: 'http://127.0.0.1:9/feed', title: 'Refused', tags: ['world'] });
    feeds.push({ url: 'http://unresolvable.invalid/feed', title: 'Unknown host', tags: ['world'] });
    nm = await startTestApp({ feeds, dataDir });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlet.close();
  });

  it('records each failure per feed and keeps serving what the others brought', async () => {
    const feeds = Object.fromEntries((await nm.json<{ feeds: ApiFeed[] }>('/api/feeds')).feeds.map((f) => [f.title, f]));
    expect(feeds.Wire).toMatchObject({ lastStatus: 200, lastError: null, itemCount: 3 });
    expect(feeds.Missing).toMatchObject({ lastStatus: 404, lastError: 'HTTP 404 Not Found', itemCount: 0 });
    expect(feeds.Crash).toMatchObject({ lastStatus: 500, lastError: 'HTTP 500 Internal Server Error' });
    expect(feeds.Garbage!.lastError).toMatch(/^parse: neither XML nor JSON/);
    expect(feeds.Html!.lastError).toBe('parse: an HTML page, not a feed');
    expect(feeds.Truncated!.lastError).toMatch(/^parse: not well-formed XML/);
    expect(feeds.Refused!.lastError).toBe('network: connection refused');
    expect(feeds['Unknown host']!.lastError).toMatch(/^network: host not found/);
    for (const f of Object.values(feeds)) expect(f.lastFetchedAt).not.toBeNull();
    const served = await nm.json<{ items: unknown[] }>('/topics/world.json');
    expect(served.items).toHaveLength(3);
  });

  it('keeps everything, without duplicates, across a restart on the same data directory', async () => {
    const before = await nm.json<{ items: Array<{ id: string; title: string }> }>('/topics/world.json');
    const feeds = nm.app.store.feeds.all().length;
    await nm.close({ keepData: true });
    nm = await startTestApp({
      feeds: [{ url: outlet.url('/wire.rss'), title: 'Wire', tags: ['world'] }],
      dataDir,
    });
    expect(await nm.json('/topics/world.json')).toEqual(before);
    await nm.pollAll();
    const after = await nm.json<{ items: Array<{ id: string; title: string }> }>('/topics/world.json');
    expect(after.items.map((i) => i.id)).toEqual(before.items.map((i) => i.id));
    expect(nm.app.store.feeds.all().length).toBe(feeds);
    expect(nm.app.store.db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(3);
  });
});
