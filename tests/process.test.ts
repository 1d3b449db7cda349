import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSeries, rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { ROOT } from './helpers/run-process.js';
import { startProcess, waitFor } from './helpers/server-process.js';
import { tempDir, writeConfig } from './helpers/test-app.js';

describe('the server process', () => {
  let outlet: FixtureServer;
  let dataDir: string;
  let configPath: string;
  const pending: Array<() => void> = [];

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    outlet.routes.set('/fast', { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(itemSeries('proc', 5, Date.now() - 60_000, 600_000)) });
    // Holds the response open: the poll is still in flight when SIGTERM arrives.
    outlet.routes.set('/hanging', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>');
      pending.push(() => res.destroy());
    });
    dataDir = tempDir();
    configPath = writeConfig(tempDir('newsmerge-config-'), {
      feeds: [
        { url: outlet.url('/fast'), title: 'Fast outlet', tags: ['world'] },
        { url: outlet.url('/hanging'), title: 'Hanging outlet', tags: ['world'] },
        { url: 'http://127.0.0.1:9/refused', title: 'Unreachable outlet', tags: ['world'] },
      ],
    });
  });

  afterAll(async () => {
    for (const stop of pending) stop();
    await outlet.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz right after start, stops cleanly on SIGTERM mid-poll, and loses nothing committed', async () => {
    const started = Date.now();
    const proc = await startProcess({ NEWSMERGE_DATA: dataDir, NEWSMERGE_CONFIG: configPath });
    const health = await fetch(`http://127.0.0.1:${proc.port}/healthz`);
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    const feeds = await waitFor(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${proc.port}/api/feeds`)).json()) as { feeds: Array<{ title: string; itemCount: number; lastError: string | null }> };
      const fast = body.feeds.find((f) => f.title === 'Fast outlet')!;
      const refused = body.feeds.find((f) => f.title === 'Unreachable outlet')!;
      return fast.itemCount === 5 && refused.lastError ? body.feeds : undefined;
    });
    expect(feeds.find((f) => f.title === 'Unreachable outlet')!.lastError).toBe('network: connection refused');
    expect(feeds.find((f) => f.title === 'Hanging outlet')!.itemCount).toBe(0);
    const served = (await (await fetch(`http://127.0.0.1:${proc.port}/topics/world.json`)).json()) as { items: Array<{ id: string }> };
    expect(served.items).toHaveLength(5);

    const signalled = Date.now();
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeLessThan(2_000);
    expect(proc.output()).toContain('shutting down');

    const db = new Database(join(dataDir, 'newsmerge.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(5);
    // The fetch that shutdown cut short is not held against the feed: it is due again at the next start.
    expect(db.prepare(`SELECT error_count AS errors, next_fetch_at AS next FROM feeds WHERE url LIKE '%/hanging'`).get()).toEqual({ errors: 0, next: null });
    db.close();

    const again = await startProcess({ NEWSMERGE_DATA: dataDir, NEWSMERGE_CONFIG: configPath });
    const reserved = (await (await fetch(`http://127.0.0.1:${again.port}/topics/world.json`)).json()) as { items: Array<{ id: string }> };
    expect(reserved.items.map((i) => i.id)).toEqual(served.items.map((i) => i.id));
    again.child.kill('SIGINT');
    expect((await again.exited).code).toBe(0);
  });

  it('reloads the config on SIGHUP, and keeps the running one when the new file is invalid', async () => {
    const dir = tempDir('newsmerge-config-');
    const path = writeConfig(dir, { feeds: [{ url: outlet.url('/fast'), title: 'Fast outlet', tags: ['world'] }] });
    const proc = await startProcess({ NEWSMERGE_DATA: tempDir(), NEWSMERGE_CONFIG: path });
    const topics = async () => ((await (await fetch(`http://127.0.0.1:${proc.port}/api/topics`)).json()) as { topics: Array<{ tag: string; title: string }> }).topics;
    try {
      const config = JSON.parse(readFileSync(path, 'utf8')) as { topics: Record<string, { title: string }> };
      config.topics.world!.title = 'Planet';
      writeFileSync(path, JSON.stringify(config));
      proc.child.kill('SIGHUP');
      await waitFor(async () => ((await topics()).find((t) => t.tag === 'world')?.title === 'Planet' ? true : undefined)).catch((err: Error) => {
        throw new Error(`${err.message}\n${proc.output()}`);
      });
      writeFileSync(path, '{ "broken": ');
      proc.child.kill('SIGHUP');
      await waitFor(async () => (proc.output().includes('config reload rejected') ? true : undefined));
      expect((await topics()).find((t) => t.tag === 'world')?.title).toBe('Planet');
      expect(proc.output()).toContain(path);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });

  it('refuses to start with an invalid config, naming the file and the field', async () => {
    const bad = join(tempDir('newsmerge-config-'), 'feeds.config.json');
    writeFileSync(bad, JSON.stringify({ schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [{ url: 'not a url', title: 'x', tags: ['world'] }] }));
    const child = spawn(process.execPath, [resolve(ROOT, 'dist/main.js')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NEWSMERGE_CONFIG: bad, NEWSMERGE_DATA: dataDir, PORT: '0' } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((done) => child.on('exit', done));
    expect(code).toBe(1);
    expect(err).toContain(bad);
    expect(err).toContain('feeds[0].url: must be an absolute http:// or https:// URL');
  });
});
