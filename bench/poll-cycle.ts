/**
 * `npm run bench:poll [-- --text news,templated,syllables]`: 1,000 distinct outlet feeds of 50 items each on 20
 * loopback addresses (a child process), polled by the real server started as users start it (`node dist/main.js`,
 * ingest thread, merging on, default limits: 8 at once, 2 per host): cycle 1 is the poll it starts with,
 * cycle 2 the one `POST /api/poll` asks for. For each kind of text (see outlet-servers.ts; default news and templated) it prints,
 * for a first cycle (every feed new) and a second (every feed answers 304): wall time, feeds/s, items/s; the
 * peak RSS of the process (both threads); how fast a topic feed was served from another process during the
 * first cycle; and how the stories it made compare with the events the items report.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import type { CycleReport } from '../src/ingest/poller.js';
import { BENCH_TOKEN, peakRssMb, rssMb, startServer } from './newsmerge-process.js';
import { exitWithUsage, parseCommandLine } from '../src/cli/cli-args.js';

const TOPICS = ['world', 'politics', 'business', 'technology', 'science'];
const TEXTS = ['news', 'templated', 'syllables'] as const;
type Text = (typeof TEXTS)[number];

/** The aims of issue 16, checked against what was measured. */
const AIMS = { newsCycleSeconds: 60, templatedVsNews: 2, p50Ms: 5, p99Ms: 50, peakRssMb: 300 };

interface Outlets {
  urls: string[];
  items: number;
  events: Record<string, string>;
  stop: () => void;
}

async function startOutlets(text: Text): Promise<Outlets> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'outlet-servers.ts')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_TEXT: text } });
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).once('line', done);
    child.once('exit', (code) => fail(new Error(`outlet servers exited with ${code}`)));
  });
  const { urls, items, events } = JSON.parse(line) as Omit<Outlets, 'stop'>;
  return { urls, items, events, stop: () => child.kill() };
}

/**
 * Requests a URL every 100 ms from a separate process (a client in this process would wait on the very event
 * loop it measures), over one keep-alive connection with node:http (fetch costs milliseconds of its own per
 * request), after one warm-up request that is not counted. Returns the latencies in milliseconds and the
 * failed requests when stopped.
 */
function startSampler(url: string): { stop(): Promise<{ latencies: number[]; errors: number }> } {
  const code = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () => new Promise((done) => {
      const req = http.get(${JSON.stringify(url)}, { agent }, (res) => { res.resume(); res.on('end', () => done(res.statusCode === 200)); });
      req.on('error', () => done(false));
    });
    let stop = false; const latencies = []; let errors = 0;
    process.on('message', () => { stop = true; });
    (async () => {
      await get();
      while (!stop) {
        const t = performance.now();
        if (!(await get())) errors++;
        latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 100));
      }
      process.send({ latencies, errors }, () => process.exit(0));
    })();`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    stop: () =>
      new Promise((done) => {
        child.once('message', (result) => done(result as { latencies: number[]; errors: number }));
        child.send('stop');
      }),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Pairwise precision and recall of the stories against the true events, and the pairs wrongly merged. */
function storyQuality(rows: Array<{ story: number; guid: string }>, events: Record<string, string>): { precision: number; recall: number; wrongPairs: number; stories: number } {
  const count2 = (n: number) => (n * (n - 1)) / 2;
  const byStory = new Map<number, string[]>();
  for (const { story, guid } of rows) (byStory.get(story) ?? byStory.set(story, []).get(story)!).push(events[guid] ?? guid);
  let predicted = 0;
  let correct = 0;
  const cells = new Map<string, number>();
  for (const members of byStory.values()) {
    predicted += count2(members.length);
    const perEvent = new Map<string, number>();
    for (const e of members) perEvent.set(e, (perEvent.get(e) ?? 0) + 1);
    for (const [e, n] of perEvent) {
      correct += count2(n);
      cells.set(e, (cells.get(e) ?? 0) + n);
    }
  }
  const truePairs = [...cells.values()].reduce((sum, n) => sum + count2(n), 0);
  return { precision: predicted ? correct / predicted : 1, recall: truePairs ? correct / truePairs : 1, wrongPairs: predicted - correct, stories: byStory.size };
}

/** What one kind of text measured. */
export interface PollFigures {
  text: Text;
  firstSeconds: number;
  secondSeconds: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  peakRssMb: number;
  wrongPairs: number;
  table: string;
}

/** Runs one kind of text through a first and a second cycle on a fresh server process and data directory. */
export async function benchPollText(text: Text): Promise<PollFigures> {
  const outlets = await startOutlets(text);
  const dataDir = mkdtempSync(join(tmpdir(), 'newsmerge-bench-poll-'));
  const configPath = join(dataDir, 'feeds.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      schedule: '0 0 1 1 *',
      topics: Object.fromEntries(TOPICS.map((t) => [t, { title: t }])),
      feeds: outlets.urls.map((url, i) => ({ url, title: `Bench outlet ${i}`, tags: [TOPICS[i % TOPICS.length]!] })),
    }),
  );
  // newsmerge polls every due feed as it starts (all of them, on a new install): that is cycle 1, timed by
  // the cycle's own duration; `POST /api/poll` then asks for cycle 2 (all 304).
  const server = await startServer(join(dataDir, 'data'), configPath);
  const base = `http://127.0.0.1:${server.port}`;
  const startRssMb = rssMb(server.pid);
  const sampler = startSampler(`${base}/topics/world.rss`);
  const first = { report: (await server.nextCycle()).report, ...(await sampler.stop()) };
  const res = await fetch(`${base}/api/poll`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  if (res.status !== 202) throw new Error(`POST /api/poll answered ${res.status}`);
  const second = { report: (await server.nextCycle()).report };
  // The same sampling on the idle server: what a request costs here when nothing else runs.
  const idle = startSampler(`${base}/topics/world.rss`);
  await new Promise((r) => setTimeout(r, 3_000));
  const idleSample = await idle.stop();
  const peakMb = peakRssMb(server.pid);
  await server.stop();
  const db = new Database(join(dataDir, 'data', 'newsmerge.db'), { readonly: true });
  const rows = db.prepare('SELECT i.story_id AS story, i.guid AS guid FROM items i').all() as Array<{ story: number; guid: string }>;
  db.close();
  const quality = storyQuality(rows, outlets.events);
  const seconds = (report: CycleReport) => report.durationMs / 1000;
  const row = (name: string, report: CycleReport) =>
    `| ${name} | ${seconds(report).toFixed(1)} | ${(report.feeds / seconds(report)).toFixed(0)} | ${(report.newItems / seconds(report)).toFixed(0)} | ${report.fetched} / ${report.notModified} / ${report.failed} | ${report.newItems} |`;
  const p50 = percentile(first.latencies, 50);
  const p99 = percentile(first.latencies, 99);
  const table = [
    `bench:poll (${text} text) — ${outlets.urls.length} feeds × ${outlets.items / outlets.urls.length} items on 20 loopback hosts, \`node dist/main.js\` polling with its defaults (8 at once, 2 per host, merging on)`,
    '',
    '| cycle | wall s | feeds/s | items/s | fetched / 304 / failed | new items |',
    '| --- | ---: | ---: | ---: | --- | ---: |',
    row('1: all new', first.report),
    row('2: all 304', second.report),
    '',
    `peak RSS of the server process (serving and ingest threads) ${peakMb.toFixed(0)} MB, ${startRssMb.toFixed(0)} MB before cycle 1`,
    `stories: ${first.report.newItems} items became ${quality.stories} stories; against the true events pairwise precision ${quality.precision.toFixed(3)}, recall ${quality.recall.toFixed(3)}, ${quality.wrongPairs} item pairs of different events merged`,
    `GET /topics/world.rss from another process every 100 ms during cycle 1: ${first.latencies.length} requests, ${first.errors} failed, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...first.latencies).toFixed(1)} ms`,
    `  the same on the idle server after cycle 2: ${idleSample.latencies.length} requests, p50 ${percentile(idleSample.latencies, 50).toFixed(1)} ms, p99 ${percentile(idleSample.latencies, 99).toFixed(1)} ms`,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  outlets.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { text, firstSeconds: seconds(first.report), secondSeconds: seconds(second.report), p50Ms: p50, p99Ms: p99, errors: first.errors, peakRssMb: peakMb, wrongPairs: quality.wrongPairs, table };
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

/** Prints each measured figure against its aim. */
function printAims(figures: PollFigures[]): void {
  const news = figures.find((f) => f.text === 'news');
  const templated = figures.find((f) => f.text === 'templated');
  const lines = ['bench:poll aims (issue 16):'];
  if (news) {
    lines.push(`  first cycle, news-like: ${news.firstSeconds.toFixed(1)} s (aim < ${AIMS.newsCycleSeconds} s): ${verdict(news.firstSeconds < AIMS.newsCycleSeconds)}`);
  }
  if (news && templated) {
    const ratio = templated.firstSeconds / news.firstSeconds;
    lines.push(`  first cycle, templated: ${templated.firstSeconds.toFixed(1)} s = ${ratio.toFixed(2)}× news-like (aim < ${AIMS.templatedVsNews}×): ${verdict(ratio < AIMS.templatedVsNews)}`);
  }
  if (templated) lines.push(`  templated items of distinct events merged: ${templated.wrongPairs} pairs (aim 0): ${verdict(templated.wrongPairs === 0)}`);
  for (const f of figures) {
    lines.push(`  ${f.text}: topic feed during cycle 1 p50 ${f.p50Ms.toFixed(1)} ms (aim < ${AIMS.p50Ms}), p99 ${f.p99Ms.toFixed(1)} ms (aim < ${AIMS.p99Ms}), ${f.errors} errors: ${verdict(f.p50Ms < AIMS.p50Ms && f.p99Ms < AIMS.p99Ms && f.errors === 0)}`);
    lines.push(`  ${f.text}: peak RSS ${f.peakRssMb.toFixed(0)} MB (aim < ${AIMS.peakRssMb}): ${verdict(f.peakRssMb < AIMS.peakRssMb)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/**
 * Runs the benchmark for each kind of text, one after the other, each in a fresh process of its own so that
 * one run's peak RSS is not the next one's, and prints the aims.
 */
export async function benchPoll(texts: readonly Text[] = ['news', 'templated']): Promise<void> {
  const figures: PollFigures[] = [];
  for (const text of texts) {
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--one', text], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise((done) => child.once('exit', done));
    const marker = out.lastIndexOf('\nFIGURES ');
    process.stdout.write(marker >= 0 ? out.slice(0, marker + 1) : out);
    if (marker >= 0) figures.push(JSON.parse(out.slice(marker + 9)) as PollFigures);
  }
  printAims(figures);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = {
    name: 'newsmerge bench:poll',
    usage: `Usage: npm run bench:poll [-- --text ${TEXTS.join(',')}]`,
    description: 'Polls 1,000 local outlet feeds with node dist/main.js, a first cycle and a 304 cycle, for each kind of text (default news,templated).',
  };
  // --one TEXT is how benchPoll runs each kind of text in a fresh process.
  const { values } = parseCommandLine(command, { text: { type: 'string' }, one: { type: 'string' } }, { maxPositionals: 0 });
  const texts = (values.one ? [values.one] : (values.text?.split(',') ?? ['news', 'templated'])) as Text[];
  for (const t of texts) if (!TEXTS.includes(t)) exitWithUsage(command, `--text takes ${TEXTS.join(', ')}, not "${t}"`);
  if (values.one) {
    const figures = await benchPollText(values.one as Text);
    process.stdout.write(`\nFIGURES ${JSON.stringify(figures)}\n`);
  } else {
    await benchPoll(texts);
  }
}
