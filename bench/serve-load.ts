/**
 * `npm run bench:serve`: a database of 100,000 items in 30,000 stories over 20 topics, the real server, and a
 * load generator on GET /topics/<tag>.rss (the 200 path and the 304 path), next to a bare node:http server
 * sending the same bytes and headers from memory. Prints requests/s, p50/p99 and the ratio to the bare server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadEnv } from '../src/config/env.js';
import { parseConfigText } from '../src/config/load-config.js';
import { startNewsmerge } from '../src/newsmerge.js';
import { openStore } from '../src/store/store.js';
import { loadUrl, type LoadResult } from './load-generator.js';
import { parseCommandLine } from '../src/cli/cli-args.js';

const TOPICS = 20;
const FEEDS_PER_TOPIC = 10;
const STORIES = 30_000;
const ITEMS = 100_000;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const DAY = 86_400_000;

function config(): string {
  const topics = Object.fromEntries(Array.from({ length: TOPICS }, (_, t) => [`topic-${t}`, { title: `Topic ${t}`, description: `Benchmark topic ${t}` }]));
  const feeds = Array.from({ length: TOPICS * FEEDS_PER_TOPIC }, (_, f) => ({ url: `http://feeds.bench.invalid/${f}.xml`, title: `Outlet ${f}`, tags: [`topic-${f % TOPICS}`] }));
  return JSON.stringify({ schedule: '0 0 1 1 *', topics, feeds });
}

/** Fills the database through the store's own statements (no clustering: stories are made directly). */
function fill(dataDir: string, configText: string): number {
  const cfg = parseConfigText(configText, 'bench');
  const store = openStore(dataDir);
  const started = performance.now();
  const now = Date.parse('2026-01-01T00:00:00Z');
  store.feeds.sync(cfg.feeds.map((f) => ({ url: f.url, outlet: f.title })), now);
  const feedIds = store.feeds.all().map((f) => f.id);
  store.write(() => {
    const version = store.stories.nextVersion();
    let item = 0;
    for (let s = 0; s < STORIES; s++) {
      const published = now - Math.floor((s / STORIES) * 30 * DAY);
      const storyId = store.stories.create(published, now);
      const size = Math.floor(ITEMS / STORIES) + (s < ITEMS % STORIES ? 1 : 0);
      const topic = s % TOPICS;
      let first = 0;
      for (let k = 0; k < size; k++, item++) {
        const feedId = feedIds[topic + TOPICS * ((s + k) % FEEDS_PER_TOPIC)]!;
        const id = store.items.insert({
          feedId,
          storyId,
          entryKey: `g:${item}`,
          guid: `bench-${item}`,
          link: `https://outlet${feedId}.bench.example/news/${item}`,
          title: `Story ${s} reported by outlet ${feedId}: a headline of ordinary length for a benchmark`,
          summary: 'A summary of a few sentences, as outlets write them, long enough to look like a real lede. '.repeat(3),
          content: `<p>${'Body text of the item with <a href="https://example.org/x">a link</a>. '.repeat(4)}</p>`,
          author: 'Bench Writer',
          publishedAt: published + k * 600_000,
          hasDate: 1,
          updatedAt: null,
          firstSeenAt: now,
          changedAt: now,
          categories: '["Bench"]',
          enclosure: null,
          image: null,
          contentHash: String(item),
        });
        if (k === 0) first = id;
      }
      store.stories.refresh(storyId, first, now, version);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  store.close();
  return seconds;
}

function row(name: string, r: LoadResult, bare?: LoadResult): string {
  const ratio = bare ? `${((r.requestsPerSecond / bare.requestsPerSecond) * 100).toFixed(0)} %` : '';
  return `| ${name} | ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${ratio} |`;
}

/** Runs the benchmark and returns the markdown table it printed. */
export async function benchServe(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'newsmerge-bench-serve-'));
  const configText = config();
  const fillSeconds = fill(dataDir, configText);
  process.stdout.write(`filled ${ITEMS.toLocaleString('en-US')} items in ${STORIES.toLocaleString('en-US')} stories over ${TOPICS} topics in ${fillSeconds.toFixed(1)} s\n`);
  const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', NEWSMERGE_DATA: dataDir, NEWSMERGE_BASE_URL: 'http://bench.example/' });
  const app = await startNewsmerge({ env, config: parseConfigText(configText, 'bench'), logger: pino({ level: 'silent' }), version: 'bench', schedule: false });
  const path = '/topics/topic-7.rss';
  const url = `http://127.0.0.1:${app.port}${path}`;
  const first = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
  const body = Buffer.from(await first.arrayBuffer());
  const headers = Object.fromEntries([...first.headers].filter(([k]) => !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)));
  const etag = first.headers.get('etag')!;
  const notModified = { etag, 'last-modified': headers['last-modified']!, 'cache-control': headers['cache-control']!, vary: 'Accept-Encoding' };
  const bare = createServer((req, res) => {
    if (req.headers['if-none-match'] === etag) res.writeHead(304, notModified).end();
    else res.writeHead(200, headers).end(body);
  });
  await new Promise<void>((done) => bare.listen(0, '127.0.0.1', done));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}${path}`;
  const load = (target: string, extra: Record<string, string> = {}) => loadUrl(target, { connections: CONNECTIONS, seconds: SECONDS, headers: { 'accept-encoding': 'identity', ...extra } });
  // Interleaved, so that whatever else the machine does hits both servers alike; the better of two runs counts.
  const best = (a: LoadResult, b: LoadResult) => (a.requestsPerSecond >= b.requestsPerSecond ? a : b);
  const runs: Record<string, LoadResult[]> = { ok: [], bareOk: [], nm304: [], bare304: [] };
  for (let round = 0; round < 2; round++) {
    runs.ok!.push(await load(url));
    runs.bareOk!.push(await load(bareUrl));
    runs.nm304!.push(await load(url, { 'if-none-match': etag }));
    runs.bare304!.push(await load(bareUrl, { 'if-none-match': etag }));
  }
  const [ok, bareOk, nm304, bare304] = (['ok', 'bareOk', 'nm304', 'bare304'] as const).map((k) => runs[k]!.reduce(best));
  const table = [
    `bench:serve — GET ${path} (${body.length.toLocaleString('en-US')} bytes, 50 stories), ${CONNECTIONS} connections, ${SECONDS} s per run, ${ok!.tool}, best of 2 interleaved runs`,
    '',
    '| path | requests/s | p50 ms | p99 ms | of bare server |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('newsmerge 200', ok!, bareOk),
    row('bare node:http 200', bareOk!),
    row('newsmerge 304', nm304!, bare304),
    row('bare node:http 304', bare304!),
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  bare.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  return table;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  parseCommandLine(
    { name: 'newsmerge bench:serve', usage: 'Usage: npm run bench:serve', description: 'Serves a database of 100,000 items under load and compares requests/s and latency with a bare node:http server.' },
    {},
    { maxPositionals: 0 },
  );
  await benchServe();
}
