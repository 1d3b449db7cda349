/**
 * `npm run demo`: a local sample of outlets (demo/outlets, several covering the same events in different
 * words and formats) served on 127.0.0.1, and newsmerge pointed at them, so merged topic feeds can be seen
 * without internet access. Dates in the sample are relative to now.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadEnv } from '../src/config/env.js';
import { parseConfigText } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { startNewsmerge } from '../src/newsmerge.js';
import { readVersion } from '../src/version.js';
import { DEMO_FEEDS as FEEDS, DEMO_TYPES as TYPES, renderDemoFeed as render } from './demo-outlets.js';

async function startOutlets(): Promise<string> {
  const server = createServer((req, res) => {
    const host = req.headers.host ?? '127.0.0.1';
    const name = (req.url ?? '/').split('?')[0]!.replace(/^\/outlets\//, '');
    const feed = FEEDS.find((f) => f.file === name);
    if (!feed) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Demo article</title><p>A demo outlet's article page: ${req.url}</p>`);
      return;
    }
    const body = render(feed.file, host);
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[feed.file.split('.').pop()!]!, etag }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const outlets = await startOutlets();
const env = loadEnv({ ...process.env, NEWSMERGE_DATA: process.env.NEWSMERGE_DATA ?? './data/demo', NEWSMERGE_CONFIG: './data/demo/feeds.config.json' });
mkdirSync(env.dataDir, { recursive: true });
const configText = JSON.stringify(
  {
    title: 'newsmerge demo',
    schedule: '* * * * *',
    minInterval: '1m',
    topics: {
      world: { title: 'World', description: 'World news from the demo outlets' },
      politics: { title: 'Politics', description: 'Politics from the demo outlets' },
      business: { title: 'Business', description: 'Business and markets' },
      technology: { title: 'Technology', description: 'Technology' },
      science: { title: 'Science', description: 'Science and research' },
    },
    feeds: FEEDS.map((f) => ({ url: `${outlets}/outlets/${f.file}`, title: f.title, tags: f.tags })),
  },
  null,
  2,
);
writeFileSync(env.configPath, configText);
const logger = createLogger(env.logLevel);
const app = await startNewsmerge({ env, config: parseConfigText(configText, env.configPath), logger, version: readVersion() });
await app.poller.poll({ mode: 'all' });
const base = env.baseUrl;
process.stdout.write(`
newsmerge demo is running. Sample outlets: ${outlets}/outlets/
  Home page            ${base}
  World (RSS)          ${base}topics/world.rss
  World (Atom)         ${base}topics/world.atom
  World (JSON Feed)    ${base}topics/world.json
  Science (JSON Feed)  ${base}topics/science.json
  All topics           ${base}all.rss
  Feed status (API)    ${base}api/feeds
Press Ctrl+C to stop.
`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
