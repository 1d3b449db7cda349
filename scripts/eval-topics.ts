/**
 * Measures topic feeds on labeled items: AG News test items (never trained on) are served by four outlets
 * whose feeds are each tagged with all four topics (world, business, sports, technology), polled by a real
 * newsmerge, and each topic's stories are read back from its API, as a reader's topic feed would list them.
 * Per topic: precision (listed stories that have an item of that label) and recall (of the stories that have
 * one, how many are listed), for item-level topics (topicMode "match", the default for such feeds) and for the
 * "feed tags only" baseline (topicMode "all": every item in every topic of its feed). See docs/topics.md.
 *
 * `--test original` measures on the original AG News test split instead (7,600 items, scripts/ag-news.ts
 * readAgExtra; lst11111's 1,000 are among them): more stories, so a steadier figure.
 *
 *   npx tsx scripts/eval-topics.ts [--ag-news GIT_DIR] [--test lst11111|original] [--outlets N] [--threshold X]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { exitWithUsage, parseCommandLine, positiveIntOption } from '../src/cli/cli-args.js';
import { loadEnv } from '../src/config/env.js';
import { loadConfigFile } from '../src/config/load-config.js';
import { startNewsmerge } from '../src/newsmerge.js';
import type { ClassifierClass } from '../src/dedup/topic-classifier.js';
import { asFeedItem, DEFAULT_AG_NEWS, DEFAULT_AG_NEWS_EXTRA, readAgExtra, readAgSplit } from './ag-news.js';

const COMMAND = {
  name: 'newsmerge eval:topics',
  usage: 'Usage: npm run eval:topics -- [--ag-news GIT_DIR] [--test lst11111|original] [--outlets N] [--threshold X]',
  description: 'Serves the AG News test split through outlets tagged with all four topics and measures each topic feed against the labels, next to the "feed tags only" baseline.',
};
const { values } = parseCommandLine(
  COMMAND,
  { 'ag-news': { type: 'string', default: DEFAULT_AG_NEWS }, test: { type: 'string', default: 'lst11111' }, outlets: { type: 'string' }, threshold: { type: 'string' } },
  { maxPositionals: 0 },
);
const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) exitWithUsage(COMMAND, '--threshold takes a number from 0 to 1');
if (values.test !== 'lst11111' && values.test !== 'original') exitWithUsage(COMMAND, `--test takes lst11111 or original, not "${values.test}"`);
const test = values.test === 'original' ? (readAgExtra(DEFAULT_AG_NEWS_EXTRA)?.originalTest ?? null) : readAgSplit(values['ag-news']!, 'test');
if (!test) exitWithUsage(COMMAND, values.test === 'original' ? `no AG News mirrors at ${Object.values(DEFAULT_AG_NEWS_EXTRA).join(' and ')}` : `no AG News mirror at ${values['ag-news']}`);
/** At least four outlets, and no feed over maxItemsPerFeed's default (1,000 items). */
const outletCount = values.outlets === undefined ? Math.max(4, Math.ceil(test.length / 1000)) : positiveIntOption(COMMAND, 'outlets', values.outlets);

/** Topic tag → the AG News label its feed should carry. */
const TOPICS: Record<string, ClassifierClass> = { world: 'world', business: 'business', sports: 'sports', technology: 'tech' };
const NOW = Date.parse('2022-02-17T12:00:00Z');

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const labelByLink = new Map<string, ClassifierClass>();
const bodies = new Map<string, string>();
for (let o = 0; o < outletCount; o++) {
  const items = test
    .map((item, i) => ({ item, i }))
    .filter(({ i }) => i % outletCount === o)
    .map(({ item, i }) => {
      const link = `https://outlet${o}.example/2004/story-${i}`;
      labelByLink.set(link, item.label);
      const { title, summary } = asFeedItem(item.text);
      return `<item><title>${esc(title)}</title><link>${link}</link><guid>${link}</guid><pubDate>${new Date(NOW - i * 600_000).toUTCString()}</pubDate><description>${esc(summary)}</description></item>`;
    });
  bodies.set(`/outlet${o}.rss`, `<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet ${o}</title><link>https://outlet${o}.example/</link><description>AG News test items</description>${items.join('')}</channel></rss>`);
}
const server = createServer((req, res) => {
  const body = bodies.get(req.url ?? '');
  if (body) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

interface Scores {
  precision: number;
  recall: number;
  listed: number;
}

/** Runs newsmerge over the outlets with every feed in `mode` and scores each topic's stories. */
async function measure(mode: 'match' | 'all'): Promise<Record<string, Scores>> {
  const dir = mkdtempSync(join(tmpdir(), 'newsmerge-eval-topics-'));
  const configPath = join(dir, 'feeds.config.json');
  const config = {
    schedule: '0 0 1 1 *',
    topics: Object.fromEntries(Object.keys(TOPICS).map((t) => [t, { title: t[0]!.toUpperCase() + t.slice(1) }])),
    feeds: [...bodies.keys()].map((path, o) => ({ url: `${base}${path}`, title: `Outlet ${o}`, tags: Object.keys(TOPICS), topicMode: mode })),
    ...(threshold === undefined ? {} : { classifierThreshold: threshold }),
  };
  writeFileSync(configPath, JSON.stringify(config));
  const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', NEWSMERGE_DATA: join(dir, 'data'), NEWSMERGE_CONFIG: configPath, NEWSMERGE_BASE_URL: 'http://news.test/' });
  const nm = await startNewsmerge({ env, config: loadConfigFile(configPath), logger: pino({ level: 'silent' }), version: 'eval', now: () => NOW, schedule: false });
  try {
    await nm.poller.poll({ mode: 'all' });
    const api = async <T>(path: string) => (await (await fetch(`http://127.0.0.1:${nm.port}${path}`)).json()) as T;
    const listAll = async (query: string) => {
      const ids: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { stories: Array<{ id: number }>; nextCursor: string | null } = await api(`/api/stories?limit=500${query}${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...page.stories.map((s) => s.id));
        cursor = page.nextCursor;
      } while (cursor);
      return ids;
    };
    // Each story's labels: those of its items (a merged story of two labels is relevant to both).
    const labels = new Map<number, Set<ClassifierClass>>();
    for (const id of await listAll('')) {
      const story = await api<{ items: Array<{ link: string }> }>(`/api/stories/${id}`);
      labels.set(id, new Set(story.items.map((i) => labelByLink.get(i.link)!)));
    }
    const out: Record<string, Scores> = {};
    for (const [tag, label] of Object.entries(TOPICS)) {
      const listed = await listAll(`&tag=${tag}`);
      const right = listed.filter((id) => labels.get(id)!.has(label)).length;
      const relevant = [...labels.values()].filter((l) => l.has(label)).length;
      out[tag] = { precision: listed.length ? right / listed.length : 1, recall: right / relevant, listed: listed.length };
    }
    return out;
  } finally {
    await nm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x: number) => x.toFixed(3);
const itemLevel = await measure('match');
const baseline = await measure('all');
console.log(`AG News test split (${values.test}): ${test.length} items through ${outletCount} outlets tagged ${Object.keys(TOPICS).join(', ')}${threshold === undefined ? '' : `, classifierThreshold ${threshold}`}`);
console.log('| topic | precision | recall | stories listed | baseline precision | baseline recall |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const tag of Object.keys(TOPICS)) {
  const m = itemLevel[tag]!;
  const b = baseline[tag]!;
  console.log(`| ${tag} | ${fmt(m.precision)} | ${fmt(m.recall)} | ${m.listed} | ${fmt(b.precision)} | ${fmt(b.recall)} |`);
}
server.close();
