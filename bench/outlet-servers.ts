/**
 * Outlet servers for bench:poll, run as a child process so they never compete with the poller's event loop:
 * `FEEDS` distinct RSS feeds of `ITEMS` items each, spread over 127.0.0.1 .. 127.0.0.<HOSTS>, with ETags
 * (a second poll is all 304). BENCH_TEXT chooses the text: `news` (real word frequencies, events covered
 * by about 4 outlets), `templated` (a 20-word vocabulary, every item its own event) or `syllables` (made-up
 * words, the first benchmark). Prints one JSON line with the feed URLs and each item's event when listening.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';

const FEEDS = Number(process.env.BENCH_FEEDS ?? 1000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 50);
const HOSTS = Number(process.env.BENCH_HOSTS ?? 20);
const NOW = Date.parse('2026-03-01T12:00:00Z');

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

interface BenchItem {
  title: string;
  link: string;
  guid: string;
  published: number;
  summary: string;
  /** The event the item reports: items of one event should make one story, of two events never. */
  event: string;
}

const SYLLABLES = ['ba', 'ko', 'ri', 'tan', 'mel', 'dor', 'vi', 'su', 'gra', 'pel', 'no', 'zek', 'lu', 'fa', 'ter', 'qui', 'mo', 'shan', 'den', 'ul'];
const SYLLABLE_WORDS = Array.from({ length: 4000 }, (_, i) => {
  const r = prng(i + 1);
  return Array.from({ length: 2 + Math.floor(r() * 2) }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join('') + (i % 7);
});

/** A Zipf-ish made-up word: common words recur across many items. */
function syllableWord(r: () => number): string {
  return SYLLABLE_WORDS[Math.floor(SYLLABLE_WORDS.length * r() ** 2.5)]!;
}

/** Made-up words (the first benchmark): about one item in five reports one of 2,000 shared events. */
function syllableItems(feed: number): BenchItem[] {
  const r = prng(feed * 7919 + 17);
  return Array.from({ length: ITEMS }, (_, i) => {
    const shared = r() < 0.2;
    const event = Math.floor(r() * 2000);
    const er = prng(event * 104729 + 3);
    const eventWords = Array.from({ length: 7 }, () => syllableWord(er));
    const words = shared ? [...eventWords.slice(0, 5), syllableWord(r), syllableWord(r)] : Array.from({ length: 8 }, () => syllableWord(r));
    const wire = shared && r() < 0.3;
    return {
      title: words.join(' '),
      link: wire ? `https://wire.bench.example/story/${event}` : `https://outlet${feed}.bench.example/news/${i}`,
      guid: `f${feed}-i${i}`,
      published: NOW - Math.floor(r() * 3 * 86_400_000),
      summary: Array.from({ length: 40 }, () => syllableWord(r)).join(' '),
      event: shared ? `e${event}` : `f${feed}-i${i}`,
    };
  });
}

/** Words of real news with their counts (bench/news-vocabulary.json: counts only, no text). */
const vocabulary = JSON.parse(readFileSync(resolve(import.meta.dirname, 'news-vocabulary.json'), 'utf8')) as { words: string[]; counts: number[] };
const cumulative = vocabulary.counts.reduce<number[]>((acc, c) => (acc.push((acc.at(-1) ?? 0) + c), acc), []);

/** A word drawn with its real frequency in news text. */
function newsWord(r: () => number): string {
  const target = r() * cumulative.at(-1)!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return vocabulary.words[lo]!;
}

function newsWords(r: () => number, n: number): string[] {
  return Array.from({ length: n }, () => newsWord(r));
}

const HOUR = 3_600_000;

/**
 * News-like items for every feed at once: each feed publishes 4-100 items a day; items are grouped into
 * events of about 4 outlets (1 to 8) published within an hour of each other, each outlet with its own
 * headline and lede around the event's words, the other words drawn with real frequencies.
 */
function newsFeeds(): BenchItem[][] {
  const r = prng(424242);
  const slots: Array<{ feed: number; i: number; published: number }> = [];
  for (let feed = 0; feed < FEEDS; feed++) {
    const perDay = 4 + Math.floor(r() * 97);
    for (let i = 0; i < ITEMS; i++) slots.push({ feed, i, published: NOW - Math.floor((i + r()) * (86_400_000 / perDay)) });
  }
  slots.sort((a, b) => a.published - b.published);
  const eventOf = new Int32Array(slots.length).fill(-1);
  let events = 0;
  for (let p = 0; p < slots.length; p++) {
    if (eventOf[p] !== -1) continue;
    const size = 1 + Math.floor(r() * 4) + Math.floor(r() * 4);
    const feeds = new Set([slots[p]!.feed]);
    eventOf[p] = events;
    for (let q = p + 1; q < slots.length && feeds.size < size && slots[q]!.published - slots[p]!.published < HOUR; q++) {
      if (eventOf[q] !== -1 || feeds.has(slots[q]!.feed)) continue;
      feeds.add(slots[q]!.feed);
      eventOf[q] = events;
    }
    events++;
  }
  const cores = new Map<number, string[]>();
  const feedsItems: BenchItem[][] = Array.from({ length: FEEDS }, () => new Array<BenchItem>(ITEMS));
  slots.forEach((slot, p) => {
    const event = eventOf[p]!;
    let core = cores.get(event);
    if (!core) {
      core = newsWords(prng(event * 104729 + 7), 12);
      cores.set(event, core);
    }
    const ir = prng(slot.feed * 7919 + slot.i * 31 + 5);
    const headline = [...core.filter(() => ir() < 0.55).slice(0, 6), ...newsWords(ir, 3 + Math.floor(ir() * 4))];
    const lede = [...core.filter(() => ir() < 0.6), ...newsWords(ir, 28 + Math.floor(ir() * 12))];
    for (const words of [headline, lede]) words.sort(() => ir() - 0.5);
    feedsItems[slot.feed]![slot.i] = {
      title: headline.join(' '),
      link: `https://outlet${slot.feed}.bench.example/news/${slot.i}`,
      guid: `f${slot.feed}-i${slot.i}`,
      published: slot.published,
      summary: lede.join(' '),
      event: `e${event}`,
    };
  });
  return feedsItems;
}

const PLACES = ['Ridgecrest', 'Anza', 'Ferndale', 'Pahala', 'Volcano', 'Cobb', 'Petrolia', 'Aguanga'];
const DIRECTIONS = ['N', 'S', 'E', 'W'];
const TEAMS = ['Lions', 'Bears', 'Hawks', 'Wolves', 'Tigers', 'Eagles', 'Sharks', 'Bulls'];

/**
 * Templated items over a 20-word vocabulary and numbers, like quake, score and ticker feeds: every item is
 * an event of its own (a distinct quake, a distinct match), so none may merge.
 */
function templatedItems(feed: number): BenchItem[] {
  const r = prng(feed * 6271 + 11);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  return Array.from({ length: ITEMS }, (_, i) => {
    const published = NOW - Math.floor(r() * 3 * 86_400_000);
    const quake = feed % 2 === 0;
    const title = quake
      ? `M ${(1 + r() * 5).toFixed(1)} - ${1 + Math.floor(r() * 60)} km ${pick(DIRECTIONS)} of ${pick(PLACES)}`
      : `${pick(TEAMS)} ${Math.floor(r() * 40)}, ${pick(TEAMS)} ${Math.floor(r() * 40)}`;
    const summary = quake
      ? `${title}. Depth ${(r() * 20).toFixed(1)} km. ${new Date(published).toISOString()}`
      : `Final: ${title}. ${pick(PLACES)} ${new Date(published).toISOString().slice(0, 10)}`;
    return { title, link: `https://outlet${feed}.bench.example/${quake ? 'quake' : 'match'}/${i}`, guid: `f${feed}-i${i}`, published, summary, event: `f${feed}-i${i}` };
  });
}

const TEXT = process.env.BENCH_TEXT ?? 'syllables';
const newsCorpus = TEXT === 'news' ? newsFeeds() : null;

function itemsOf(feed: number): BenchItem[] {
  if (newsCorpus) return newsCorpus[feed]!;
  return TEXT === 'templated' ? templatedItems(feed) : syllableItems(feed);
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

function feedXml(feed: number): string {
  const items = itemsOf(feed).map(
    (item) =>
      `<item><title>${esc(item.title)}</title><link>${item.link}</link><guid isPermaLink="false">${item.guid}</guid><pubDate>${new Date(item.published).toUTCString()}</pubDate><description>${esc(item.summary)}</description></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bench outlet ${feed}</title><link>https://outlet${feed}.bench.example/</link><description>bench</description>\n${items.join('\n')}\n</channel></rss>`;
}

const bodies = new Map<number, { body: Buffer; etag: string }>();
function feedBody(feed: number): { body: Buffer; etag: string } {
  let cached = bodies.get(feed);
  if (!cached) {
    const body = Buffer.from(feedXml(feed));
    cached = { body, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` };
    bodies.set(feed, cached);
  }
  return cached;
}

const urls: string[] = new Array(FEEDS);
await Promise.all(
  Array.from({ length: HOSTS }, async (_, h) => {
    const host = `127.0.0.${h + 1}`;
    const server = createServer((req, res) => {
      const feed = Number(/^\/feed\/(\d+)\.xml$/.exec(req.url ?? '')?.[1] ?? NaN);
      if (!Number.isInteger(feed) || feed >= FEEDS) return void res.writeHead(404).end();
      const { body, etag } = feedBody(feed);
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag, 'content-length': body.length }).end(body);
    });
    await new Promise<void>((done) => server.listen(0, host, done));
    const { port } = server.address() as AddressInfo;
    for (let f = h; f < FEEDS; f += HOSTS) urls[f] = `http://${host}:${port}/feed/${f}.xml`;
  }),
);
// Which event each item reports, by guid, so the bench can check the stories it made against the truth.
const events = Array.from({ length: FEEDS }, (_, f) => itemsOf(f).map((item) => [item.guid, item.event]));
process.stdout.write(`${JSON.stringify({ urls, items: FEEDS * ITEMS, events: Object.fromEntries(events.flat()) })}\n`);
