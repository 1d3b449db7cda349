import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSeries, rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { runNode } from './helpers/run-process.js';
import { startTestApp, tempDir, writeConfig, type TestApp } from './helpers/test-app.js';

describe('npm run backup', () => {
  let outlet: FixtureServer;
  let nm: TestApp;

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    outlet.routes.set('/feed', { body: rssFeed(itemSeries('bk', 20, Date.now(), 600_000)) });
    nm = await startTestApp({ feeds: [{ url: outlet.url('/feed'), title: 'Backup outlet', tags: ['world'] }], now: Date.now() });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlet.close();
  });

  it('writes a consistent copy while the server runs, which opens as a working database', async () => {
    const target = join(tempDir(), 'copy.db');
    const run = await runNode('cli/backup.js', [target], { NEWSMERGE_DATA: nm.dataDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`to ${target}`);
    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) FROM items').pluck().get()).toBe(20);
    copy.close();
    // Restoring is copying the file back as newsmerge.db: the copy serves the same stories.
    const restored = tempDir();
    writeFileSync(join(restored, 'newsmerge.db'), readFileSync(target));
    const again = await startTestApp({ feeds: [{ url: outlet.url('/feed'), title: 'Backup outlet', tags: ['world'] }], dataDir: restored });
    try {
      expect(await again.json('/topics/world.json')).toEqual(await nm.json('/topics/world.json'));
    } finally {
      await again.close();
    }
    expect((await runNode('cli/backup.js', [target], { NEWSMERGE_DATA: nm.dataDir })).code).toBe(1);
    expect((await runNode('cli/backup.js', [], { NEWSMERGE_DATA: nm.dataDir })).code).toBe(2);
  });
});

describe('npm run opml:import', () => {
  const OPML = `<?xml version="1.0"?>
<opml version="2.0"><head><title>My reader</title></head><body>
  <outline text="World">
    <outline type="rss" text="Outlet One" xmlUrl="https://one.example/rss"/>
    <outline type="rss" text="Outlet Two" title="Outlet Two" xmlUrl="https://two.example/feed.xml"/>
  </outline>
  <outline text="Tech stuff">
    <outline type="rss" text="Gadgets" xmlUrl="https://gadgets.example/atom" category="/science"/>
  </outline>
  <outline type="rss" text="Already there" xmlUrl="https://outlet.example/rss"/>
</body></opml>`;

  function setup(): { env: Record<string, string>; configPath: string; opml: string } {
    const dir = tempDir();
    const configPath = writeConfig(dir, { feeds: [{ url: 'https://outlet.example/rss', title: 'Outlet', tags: ['world'] }] });
    const opml = join(dir, 'reader.opml');
    writeFileSync(opml, OPML);
    return { env: { NEWSMERGE_CONFIG: configPath }, configPath, opml };
  }

  it('adds new outlets with tags from their OPML folders and categories, without duplicates', async () => {
    const { env, configPath, opml } = setup();
    const run = await runNode('cli/opml-import.js', [opml], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Added 3 outlet(s)');
    expect(run.stdout).toContain('skipped 1 already configured');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { feeds: Array<{ url: string; title: string; tags: string[] }>; topics: Record<string, unknown> };
    expect(config.feeds.map((f) => [f.url, f.tags])).toEqual([
      ['https://outlet.example/rss', ['world']],
      ['https://one.example/rss', ['world']],
      ['https://two.example/feed.xml', ['world']],
      ['https://gadgets.example/atom', ['science']],
    ]);
    const again = await runNode('cli/opml-import.js', [opml], env);
    expect(again.stdout).toContain('Added 0 outlet(s)');
  });

  it('applies --tags, creating missing topics, and refuses a file that is not OPML', async () => {
    const { env, configPath, opml } = setup();
    const run = await runNode('cli/opml-import.js', [opml, '--tags', 'culture'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('new topics: culture');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { feeds: Array<{ tags: string[] }>; topics: Record<string, { title: string }> };
    expect(config.topics.culture!.title).toBe('Culture');
    expect(config.feeds.slice(1).every((f) => f.tags.join() === 'culture')).toBe(true);
    const notOpml = join(tempDir(), 'x.opml');
    writeFileSync(notOpml, '<rss version="2.0"><channel/></rss>');
    const bad = await runNode('cli/opml-import.js', [notOpml], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not an OPML file');
  });

  it('round-trips the server\'s own /opml/outlets export', async () => {
    const nm = await startTestApp({ feeds: [{ url: 'https://a.example/rss', title: 'A', tags: ['world', 'science'] }, { url: 'https://b.example/rss', title: 'B', tags: ['politics'] }] });
    const exported = join(tempDir(), 'outlets.opml');
    writeFileSync(exported, await (await nm.get('/opml/outlets')).text());
    await nm.close();
    const configPath = writeConfig(tempDir(), { feeds: [] });
    const run = await runNode('cli/opml-import.js', [exported], { NEWSMERGE_CONFIG: configPath });
    expect(run.code, run.stderr).toBe(0);
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { feeds: Array<{ url: string; tags: string[] }> };
    expect(config.feeds).toEqual([
      { url: 'https://a.example/rss', title: 'A', tags: ['world', 'science'] },
      { url: 'https://b.example/rss', title: 'B', tags: ['politics'] },
    ]);
  });
});
