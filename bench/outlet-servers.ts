/**
 * Outlet servers for bench:poll, run as a child process so they never compete with the poller's event loop:
 * `FEEDS` distinct RSS feeds of `ITEMS` items each, spread over 127.0.0.1 .. 127.0.0.<HOSTS>, with ETags
 * (a second poll is all 304). Prints one JSON line with the feed URLs when listening.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
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

const SYLLABLES = ['ba', 'ko', 'ri', 'tan', 'mel', 'dor', 'vi', 'su', 'gra', 'pel', 'no', 'zek', 'lu', 'fa', 'ter', 'qui', 'mo', 'shan', 'den', 'ul'];
const VOCABULARY = Array.from({ length: 4000 }, (_, i) => {
  const r = prng(i + 1);
  return Array.from({ length: 2 + Math.floor(r() * 2) }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join('') + (i % 7);
});

/** A Zipf-ish word: common words recur across many items, as in real headlines. */
function word(r: () => number): string {
  return VOCABULARY[Math.floor(VOCABULARY.length * r() ** 2.5)]!;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** A feed document; about one item in five reports one of 2,000 shared events (another outlet's wording). */
function feedXml(feed: number): string {
  const r = prng(feed * 7919 + 17);
  const items = Array.from({ length: ITEMS }, (_, i) => {
    const shared = r() < 0.2;
    const event = Math.floor(r() * 2000);
    const er = prng(event * 104729 + 3);
    const eventWords = Array.from({ length: 7 }, () => word(er));
    const words = shared ? [...eventWords.slice(0, 5), word(r), word(r)] : Array.from({ length: 8 }, () => word(r));
    const wire = shared && r() < 0.3;
    const link = wire ? `https://wire.bench.example/story/${event}` : `https://outlet${feed}.bench.example/news/${i}`;
    const published = NOW - Math.floor(r() * 3 * 86_400_000);
    const summary = Array.from({ length: 40 }, () => word(r)).join(' ');
    return `<item><title>${esc(words.join(' '))}</title><link>${link}</link><guid isPermaLink="false">f${feed}-i${i}</guid><pubDate>${new Date(published).toUTCString()}</pubDate><description>${esc(summary)}</description></item>`;
  });
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
process.stdout.write(`${JSON.stringify({ urls, items: FEEDS * ITEMS })}\n`);
