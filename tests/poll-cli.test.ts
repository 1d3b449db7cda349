import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSeries, rssFeed } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { runNode } from './helpers/run-process.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('npm run poll', () => {
  let outlet: FixtureServer;
  let nm: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    const body = rssFeed(itemSeries('cli', 4, Date.now() - 3_600_000, 600_000));
    outlet.routes.set('/feed', (req, res) => {
      if (req.headers['if-none-match'] === '"c1"') return void res.writeHead(304).end();
      res.writeHead(200, { etag: '"c1"', 'content-type': 'application/rss+xml' }).end(body);
    });
    outlet.routes.set('/broken', { status: 500 });
    // The server runs on the same data directory and config while the command polls.
    nm = await startTestApp({
      feeds: [
        { url: outlet.url('/feed'), title: 'CLI outlet', tags: ['world'] },
        { url: outlet.url('/broken'), title: 'Broken outlet', tags: ['world'] },
      ],
      now: Date.now(),
    });
    env = { NEWSMERGE_CONFIG: nm.configPath, NEWSMERGE_DATA: nm.dataDir };
  });

  afterAll(async () => {
    await nm.close();
    await outlet.close();
  });

  it('polls every feed, prints a summary, exits 0 despite failures, and the running server serves the result', async () => {
    expect((await nm.json<{ items: unknown[] }>('/topics/world.json')).items).toHaveLength(0);
    const run = await runNode('cli/poll.js', [], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Polled 2 feed(s)');
    expect(run.stdout).toContain('1 fetched, 0 not modified, 0 unchanged, 4 new items, 0 updated, 1 failed');
    expect(run.stdout).toContain(`failed: ${outlet.url('/broken')}: HTTP 500 Internal Server Error`);
    // Another process's writes reach a feed the server rendered within a second (its re-check interval).
    const started = performance.now();
    await expect.poll(async () => (await nm.json<{ items: unknown[] }>('/topics/world.json')).items, { timeout: 3_000, interval: 50 }).toHaveLength(4);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('still uses conditional GET, and --feed polls one feed', async () => {
    const run = await runNode('cli/poll.js', ['--feed', outlet.url('/feed')], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Polled 1 feed(s)');
    expect(run.stdout).toContain('0 fetched, 1 not modified');
  });

  it('exits non-zero with the file and field named for a bad config, and for an unknown --feed', async () => {
    const bad = `${nm.configPath}.bad.json`;
    writeFileSync(bad, JSON.stringify({ schedule: 'every minute', topics: { world: { title: 'World' } }, feeds: [] }));
    const run = await runNode('cli/poll.js', [], { ...env, NEWSMERGE_CONFIG: bad });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(bad);
    expect(run.stderr).toContain('schedule: is not a valid cron expression');
    const unknown = await runNode('cli/poll.js', ['--feed', 'https://nowhere.example/feed'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('is not a feed of');
  });
});
