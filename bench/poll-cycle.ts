/**
 * `npm run bench:poll`: 1,000 distinct outlet feeds of 50 items each on 20 loopback addresses (a child
 * process), polled by the real poller with merging on and default limits (8 at once, 2 per host). Prints, for
 * a first cycle (every feed new) and a second (every feed answers 304): wall time, feeds/s, items/s, peak
 * RSS, and how fast a topic feed was served while the first cycle ran.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { loadEnv } from '../src/config/env.js';
import { parseConfigText } from '../src/config/load-config.js';
import type { CycleReport } from '../src/ingest/poller.js';
import { startNewsmerge } from '../src/newsmerge.js';

const TOPICS = ['world', 'politics', 'business', 'technology', 'science'];

async function startOutlets(): Promise<{ urls: string[]; items: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'outlet-servers.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done);
    child.once('exit', (code) => fail(new Error(`outlet servers exited with ${code}`)));
  });
  const { urls, items } = JSON.parse(line) as { urls: string[]; items: number };
  return { urls, items, stop: () => child.kill() };
}

/**
 * Requests a URL every 100 ms from a separate process (a client in this process would wait on the very event
 * loop it measures) and returns the latencies in milliseconds when stopped.
 */
function startSampler(url: string): { stop(): Promise<number[]> } {
  const code = `let stop=false;const l=[];process.on('message',()=>{stop=true});(async()=>{while(!stop){const t=performance.now();await (await fetch(${JSON.stringify(url)})).arrayBuffer();l.push(performance.now()-t);await new Promise(r=>setTimeout(r,100))}process.send(l,()=>process.exit(0))})()`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    stop: () =>
      new Promise((done) => {
        child.once('message', (latencies) => done(latencies as number[]));
        child.send('stop');
      }),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs the benchmark and returns the markdown table it printed. */
export async function benchPoll(): Promise<string> {
  const outlets = await startOutlets();
  const dataDir = mkdtempSync(join(tmpdir(), 'newsmerge-bench-poll-'));
  const configText = JSON.stringify({
    schedule: '0 0 1 1 *',
    topics: Object.fromEntries(TOPICS.map((t) => [t, { title: t }])),
    feeds: outlets.urls.map((url, i) => ({ url, title: `Bench outlet ${i}`, tags: [TOPICS[i % TOPICS.length]!] })),
  });
  const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', NEWSMERGE_DATA: dataDir });
  const app = await startNewsmerge({ env, config: parseConfigText(configText, 'bench'), logger: pino({ level: 'silent' }), version: 'bench', schedule: false });
  const topicUrl = `http://127.0.0.1:${app.port}/topics/world.rss`;
  const startRssMb = process.memoryUsage().rss / 1e6;

  const cycle = async (sampleServing: boolean): Promise<{ report: CycleReport; seconds: number; latencies: number[] }> => {
    const sampler = sampleServing ? startSampler(topicUrl) : null;
    const started = performance.now();
    const report = await app.poller.poll({ mode: 'all' });
    const seconds = (performance.now() - started) / 1000;
    return { report, seconds, latencies: (await sampler?.stop()) ?? [] };
  };

  const first = await cycle(true);
  const second = await cycle(false);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const heapMb = process.memoryUsage().heapUsed / 1e6;
  const stories = (app.store.db.prepare('SELECT count(*) FROM stories WHERE merged_into IS NULL').pluck().get() as number) ?? 0;
  const row = (name: string, c: typeof first) =>
    `| ${name} | ${c.seconds.toFixed(1)} | ${(c.report.feeds / c.seconds).toFixed(0)} | ${(c.report.newItems / c.seconds).toFixed(0)} | ${c.report.fetched} / ${c.report.notModified} / ${c.report.failed} | ${c.report.newItems} |`;
  const table = [
    `bench:poll — ${outlets.urls.length} feeds × ${outlets.items / outlets.urls.length} items on 20 loopback hosts, concurrency 8, 2 per host, merging on`,
    '',
    '| cycle | wall s | feeds/s | items/s | fetched / 304 / failed | new items |',
    '| --- | ---: | ---: | ---: | --- | ---: |',
    row('1: all new', first),
    row('2: all 304', second),
    '',
    `peak RSS ${peakRssMb.toFixed(0)} MB for the whole bench process (server, poller, store, and the tsx loader), ${startRssMb.toFixed(0)} MB before cycle 1, JS heap in use after cycle 2 ${heapMb.toFixed(0)} MB; ${first.report.newItems} items became ${stories} stories`,
    `GET /topics/world.rss from another process during cycle 1: ${first.latencies.length} samples, p50 ${percentile(first.latencies, 50).toFixed(1)} ms, p99 ${percentile(first.latencies, 99).toFixed(1)} ms, max ${Math.max(...first.latencies).toFixed(1)} ms`,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  await app.close();
  outlets.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return table;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPoll();
