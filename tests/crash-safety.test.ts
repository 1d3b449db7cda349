import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudoWord, rssFeed, type TestItem } from './helpers/feed-builder.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startProcess, waitFor, type Running } from './helpers/server-process.js';
import { tempDir, writeConfig } from './helpers/test-app.js';

const FEEDS = 200;
const ROUNDS = 20;
const TOKEN = 'crash-test-admin-token-0123456789';
const T0 = Date.now() - 3_600_000;

/** A seeded random number generator: a failing run can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

/** Item `i` of feed `f`: one in three reports an event other feeds report too (so stories merge). */
function item(f: number, i: number): TestItem {
  const shared = i % 3 === 0;
  const event = shared ? `e${(f % 10) * 100 + i}` : `f${f}-${i}`;
  const words = [0, 1, 2, 3, 4].map((k) => pseudoWord(`${event}/${k}`));
  return {
    title: `${words.join(' ')} ${pseudoWord(`${f}/${i}/own`)}`,
    link: `https://outlet${f}.example/news/${i}`,
    guid: `f${f}-i${i}`,
    date: T0 + i * 60_000 + (f % 10) * 1_000,
    description: `${[5, 6, 7, 8, 9, 10].map((k) => pseudoWord(`${event}/${k}`)).join(' ')} ${pseudoWord(`${f}/${i}/lede`)}`,
  };
}

describe('crash safety under load', () => {
  let outlet: FixtureServer;
  let dataDir: string;
  let configPath: string;
  let round = 0;
  const itemsIn = (r: number) => 5 + r;

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    // Every round each feed has one more item, so each restart has writes for every feed to be killed in.
    for (let f = 0; f < FEEDS; f++) {
      outlet.routes.set(`/f${f}.rss`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(Array.from({ length: itemsIn(round) }, (_, i) => item(f, i))));
      });
    }
    dataDir = tempDir();
    configPath = writeConfig(tempDir('newsmerge-config-'), { feeds: Array.from({ length: FEEDS }, (_, f) => ({ url: outlet.url(`/f${f}.rss`), title: `Outlet ${f}`, tags: ['world'] })) });
  });

  afterAll(async () => {
    await outlet.close();
  });

  const start = () => startProcess({ NEWSMERGE_DATA: dataDir, NEWSMERGE_CONFIG: configPath, NEWSMERGE_ADMIN_TOKEN: TOKEN });
  const pollAll = (server: Running) => fetch(`http://127.0.0.1:${server.port}/api/poll`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });

  it(`keeps every item exactly once and every story id a reader saw, through ${ROUNDS} SIGKILLs at random moments of a poll cycle`, async () => {
    const random = prng(20261129);
    const seen = new Set<number>();
    let killedMidCycle = 0;
    for (round = 0; round < ROUNDS; round++) {
      const server = await start();
      expect((await pollAll(server)).status).toBe(202);
      const killAt = Date.now() + 100 + Math.floor(random() * 1_200);
      // A reader keeps reading while the cycle runs, and remembers every story id it was given.
      while (Date.now() < killAt) {
        const res = await fetch(`http://127.0.0.1:${server.port}/api/stories?limit=500`).catch(() => null);
        if (res?.status === 200) for (const s of ((await res.json()) as { stories: Array<{ id: number }> }).stories) seen.add(s.id);
        await new Promise((r) => setTimeout(r, 20));
      }
      // The start-up cycle and the requested one: did the kill come before both had finished?
      if ((server.output().match(/"msg":"poll cycle finished"/g) ?? []).length < 2) killedMidCycle++;
      server.child.kill('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
    }
    // Most kills must land in the middle of the work, or the test proves little.
    expect(killedMidCycle).toBeGreaterThanOrEqual(ROUNDS / 2);

    // One last start polls to completion: nothing was lost or doubled by the kills.
    round = ROUNDS - 1;
    const server = await start();
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const done = async () => {
        const { feeds } = (await (await fetch(`${base}/api/feeds`)).json()) as { feeds: Array<{ itemCount: number }> };
        return feeds.every((f) => f.itemCount === itemsIn(round)) ? true : undefined;
      };
      expect((await pollAll(server)).status).toBe(202);
      await waitFor(done, 60_000);
      for (const id of seen) {
        const res = await fetch(`${base}/api/stories/${id}`, { redirect: 'manual' });
        expect([200, 301], `story ${id}`).toContain(res.status);
        // The server's base URL names port 0 (it was started with PORT=0): follow the path.
        if (res.status === 301) expect((await fetch(`${base}${new URL(res.headers.get('location')!).pathname}`)).status).toBe(200);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const db = new Database(join(dataDir, 'newsmerge.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const counts = db.prepare('SELECT count(*) AS items, count(DISTINCT feed_id || \'/\' || guid) AS distinct_items FROM items').get() as { items: number; distinct_items: number };
      expect(counts).toEqual({ items: FEEDS * itemsIn(ROUNDS - 1), distinct_items: FEEDS * itemsIn(ROUNDS - 1) });
      // Every item's story exists and has not been merged away.
      expect(db.prepare('SELECT count(*) FROM items i JOIN stories s ON s.id = i.story_id WHERE s.merged_into IS NULL').pluck().get()).toBe(FEEDS * itemsIn(ROUNDS - 1));
    } finally {
      db.close();
    }
    expect(seen.size).toBeGreaterThan(0);
  }, 240_000);
});
