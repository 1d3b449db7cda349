import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config/load-config.js';
import { createFetcher } from '../src/ingest/fetch-feed.js';
import { Poller } from '../src/ingest/poller.js';
import { ClusterEngine } from '../src/cluster/cluster-engine.js';
import { openStore } from '../src/store/store.js';
import { itemSeries, rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { ROOT } from './helpers/run-process.js';
import { startTestApp, tempDir, writeConfig, type TestApp } from './helpers/test-app.js';

const T0 = Date.parse('2022-02-17T12:00:00Z');

describe('a full disk', () => {
  let outlet: FixtureServer;
  let nm: TestApp;

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    outlet.routes.set('/small', { body: rssFeed(itemSeries('small', 3, T0, 3_600_000)) });
    nm = await startTestApp({ feeds: [{ url: outlet.url('/small'), title: 'Small', tags: ['world'] }, { url: outlet.url('/big'), title: 'Big', tags: ['world'] }], now: T0 });
    await nm.pollAll();
  });

  afterAll(async () => {
    await nm.close();
    await outlet.close();
  });

  it('logs each failed write, keeps serving what was stored, and stores the rest once there is room', async () => {
    // A second writer on the same data directory, like `npm run poll` beside the server: SQLite's page
    // limit on its connection gives the same SQLITE_FULL a full disk does.
    const store = openStore(nm.dataDir);
    const writerLog: string[] = [];
    const config = loadConfigFile(nm.configPath);
    const poller = new Poller({ engine: new ClusterEngine(store, config.dedup.window), fetcher: createFetcher(), config: () => config, logger: pino({ level: 'info' }, { write: (l: string) => void writerLog.push(l) }), now: () => nm.clock.now, userAgent: 'test', batchDelayMs: 0 });
    try {
      const before = await nm.json<{ items: unknown[] }>('/topics/world.json');
      expect(before.items).toHaveLength(3);
      store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
      outlet.routes.set('/big', { body: rssFeed(itemSeries('big', 300, T0, 60_000).map((i) => ({ ...i, description: 'x'.repeat(2_000) }))) });
      const report = await poller.poll({ mode: 'all' });
      expect(report.writeErrors).toBeGreaterThan(0);
      expect(writerLog.some((l) => l.includes('cannot store poll result') && l.includes('database or disk is full'))).toBe(true);
      expect((await nm.get('/healthz')).status).toBe(200);
      expect(await nm.json('/topics/world.json')).toEqual(before);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');

      // The server's own ingest thread stores the rest once there is room. The big feed failed (404) on the
      // first poll and its failed write saved nothing, so it is due again after its one-hour backoff.
      nm.clock.now += 2 * 3_600_000;
      const retry = await nm.app.poller.poll({ mode: 'due' });
      expect(retry.writeErrors).toBe(0);
      expect(retry.newItems).toBe(300);
      expect((await nm.json<{ items: unknown[] }>('/topics/world.json?limit=500')).items).toHaveLength(303);
    } finally {
      store.close();
    }
  });
});

describe('an unusable data directory', () => {
  const configPath = writeConfig(tempDir('newsmerge-config-'), { feeds: [] });

  async function start(dataDir: string): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, [resolve(ROOT, 'dist/main.js')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', PORT: '0', NEWSMERGE_CONFIG: configPath, NEWSMERGE_DATA: dataDir } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    return { code, output };
  }

  it('stops start-up with a clear error naming the directory', async () => {
    const file = join(tempDir(), 'not-a-directory');
    writeFileSync(file, 'x');
    const inFile = await start(join(file, 'data'));
    expect(inFile.code).toBe(1);
    expect(inFile.output).toContain(`Data directory ${join(file, 'data')} is not writable`);
    // /proc: Node's own recursive mkdir would spin forever here.
    const proc = await start('/proc/newsmerge-data');
    expect(proc.code).toBe(1);
    expect(proc.output).toContain('Data directory /proc/newsmerge-data is not writable');
    const readOnly = await start('/sys/newsmerge-data');
    expect(readOnly.code).toBe(1);
    expect(readOnly.output).toContain('Data directory /sys/newsmerge-data is not writable');
  });

  it('refuses a file that is not a newsmerge database', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'newsmerge.db'), 'this is not sqlite '.repeat(100));
    const run = await start(dir);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`Cannot open database ${join(dir, 'newsmerge.db')}`);
  });
});
