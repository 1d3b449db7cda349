/**
 * `npm run bench:restart`: a data directory of 100,000 items from 200 outlets, all within the merging window,
 * indexed for clustering and with their topics decided, as an established install has them (filled through
 * the store's own statements and the item-topics job), then `node dist/main.js` started on
 * it as users start it. Prints when /healthz first answers 200, when a topic feed is first served, and when
 * merging is ready again: the first poll cycle (which loads the clustering window) has finished, and a
 * refresh of one feed with one new item has been clustered and stored.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../src/config/config-schema.js';
import { profileItem } from '../src/dedup/item-profile.js';
import { storyKeys } from '../src/dedup/story-keys.js';
import { indexItem } from '../src/cluster/assign-story.js';
import { ClusterEngine } from '../src/cluster/cluster-engine.js';
import { ItemTopicRules, ItemTopicsJob } from '../src/cluster/item-topics.js';
import { openStore } from '../src/store/store.js';
import { BENCH_TOKEN, startServer } from './newsmerge-process.js';
import { parseCommandLine } from '../src/cli/cli-args.js';

const FEEDS = 200;
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const WORDS = Array.from({ length: 5_000 }, (_, i) => `w${(i * 7919).toString(36)}`);

/** The aims of issue 16 for a restart. */
const AIMS = { healthzMs: 2_000 };

function words(seed: number, n: number): string {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    return WORDS[Math.floor((s / 2 ** 32) ** 2 * WORDS.length)];
  }).join(' ');
}

/** Stores ITEMS items (a story each, indexed for clustering, topics decided under `config`) published over the last two days. */
async function fill(dataDir: string, feedUrls: string[], now: number, config: unknown): Promise<number> {
  const started = performance.now();
  const store = openStore(dataDir);
  const { dedup } = configSchema.parse(config);
  store.feeds.sync(feedUrls.map((url, i) => ({ url, outlet: `Outlet ${i}` })), now);
  const feeds = store.feeds.all();
  const engine = new ClusterEngine(store, dedup.window);
  for (let start = 0; start < ITEMS; start += 5_000) {
    engine.write(() => {
      engine.index.begin();
      for (let n = start; n < Math.min(ITEMS, start + 5_000); n++) {
        const feed = feeds[n % FEEDS]!;
        const publishedAt = now - Math.floor(((ITEMS - n) / ITEMS) * 2 * 86_400_000);
        const title = words(n * 3 + 1, 9);
        const summary = words(n * 3 + 2, 30);
        const link = `https://outlet${feed.id}.bench.example/news/${n}`;
        const storyId = store.stories.create(publishedAt, now);
        const itemId = store.items.insert({
          feedId: feed.id, storyId, entryKey: `g:${n}`, guid: `${n}`, link, title, summary, content: null, author: null, publishedAt, hasDate: 1, updatedAt: null,
          firstSeenAt: now, changedAt: now, categories: '[]', enclosure: null, image: null, contentHash: String(n),
        });
        const keys = storyKeys({ guid: `${n}`, link, title }, dedup.minTitleWords);
        indexItem(engine, { itemId, storyId, feedId: feed.id, outlet: feed.outlet }, { keys, profile: profileItem(title, summary), publishedAt, templated: false });
        store.stories.refresh(storyId, itemId, now, store.stories.nextVersion());
      }
      engine.index.flush();
    });
  }
  // An established install has its items' topics; without them the first cycle after start would wait for them all.
  await new ItemTopicsJob(store).run(new ItemTopicRules(configSchema.parse(config)));
  store.close();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const now = Date.now();
  // Outlets answer with an empty feed, but for the probe, which gets one new item once asked.
  let probeItems = 0;
  const outlet = createServer((req, res) => {
    const probe = req.url === '/probe.rss' && probeItems > 0;
    const item = probe ? `<item><title>${words(424242, 9)}</title><link>https://probe.bench.example/1</link><guid>probe-1</guid><pubDate>${new Date(now).toUTCString()}</pubDate><description>${words(424243, 30)}</description></item>` : '';
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title><link>https://bench.example/</link><description>b</description>${item}</channel></rss>`);
  });
  await new Promise<void>((done) => outlet.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(outlet.address() as AddressInfo).port}`;
  const feedUrls = [...Array.from({ length: FEEDS - 1 }, (_, i) => `${base}/feed${i}.rss`), `${base}/probe.rss`];
  const dir = mkdtempSync(join(tmpdir(), 'newsmerge-bench-restart-'));
  const dataDir = join(dir, 'data');
  const configPath = join(dir, 'feeds.config.json');
  const config = { schedule: '0 0 1 1 *', topics: { world: { title: 'World' } }, feeds: feedUrls.map((url, i) => ({ url, title: `Outlet ${i}`, tags: ['world'] })) };
  writeFileSync(configPath, JSON.stringify(config));
  const fillSeconds = await fill(dataDir, feedUrls, now, config);

  const started = performance.now();
  const running = await startServer(dataDir, configPath);
  const server = `http://127.0.0.1:${running.port}`;
  const until = async (path: string): Promise<{ at: number; ms: number }> => {
    for (;;) {
      const t = performance.now();
      const res = await fetch(`${server}${path}`).catch(() => null);
      if (res?.status === 200) {
        await res.arrayBuffer();
        return { at: performance.now() - started, ms: performance.now() - t };
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const healthz = await until('/healthz');
  const feed = await until('/topics/world.rss');
  const firstCycleMs = (await running.nextCycle()).at - started;
  const probeCount = async () => ((await (await fetch(`${server}/api/feeds`)).json()) as { feeds: Array<{ url: string; itemCount: number }> }).feeds.find((f) => f.url.endsWith('/probe.rss'))!.itemCount;
  const before = await probeCount();
  probeItems = 1;
  const refreshStarted = performance.now();
  const refresh = await fetch(`${server}/api/feeds/refresh?url=${encodeURIComponent(`${base}/probe.rss`)}`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  const refreshMs = performance.now() - refreshStarted;
  const refreshed = (await refresh.json()) as { lastError: string | null; lastStatus: number | null };
  const stored = (await probeCount()) - before;
  const lines = [
    `bench:restart — node dist/main.js on ${ITEMS.toLocaleString('en-US')} stored items of ${FEEDS} outlets, all within the merging window (filled in ${fillSeconds.toFixed(1)} s)`,
    '',
    `/healthz 200 after ${healthz.at.toFixed(0)} ms (aim < ${AIMS.healthzMs} ms): ${healthz.at < AIMS.healthzMs ? 'met' : 'NOT met'}`,
    `first topic feed (/topics/world.rss) served after ${feed.at.toFixed(0)} ms, that request taking ${feed.ms.toFixed(0)} ms`,
    `merging ready: the first poll cycle (window loaded, ${FEEDS} feeds fetched) finished after ${firstCycleMs.toFixed(0)} ms; then a refresh clustering one new item took ${refreshMs.toFixed(0)} ms (HTTP ${refresh.status}, feed status ${refreshed.lastStatus}, error ${refreshed.lastError}, new items stored: ${stored}); merging ready ${(firstCycleMs + refreshMs).toFixed(0)} ms after start at the latest`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await running.stop();
  outlet.close();
  rmSync(dir, { recursive: true, force: true });
}

parseCommandLine(
  {
    name: 'newsmerge bench:restart',
    usage: 'Usage: npm run bench:restart',
    description: 'Starts node dist/main.js on 100,000 stored items (BENCH_ITEMS) and times /healthz, the first topic feed and merging ready.',
  },
  {},
  { maxPositionals: 0 },
);
await main();
