/**
 * `npm run demo`: a local sample of outlets (demo/outlets, several covering the same events in different
 * words and formats) served on 127.0.0.1, and newsmerge pointed at them, so merged topic feeds can be seen
 * without internet access. Dates in the sample are relative to now.
 *
 * Re-runnable on its data directory: the outlets listen on the port of the previous run (read from the
 * config it wrote there), so their feed and article URLs stay the same and a second run finds the stories
 * it already has. Only when that port is taken do they move, and then the old URLs are feeds removed from
 * the config: their items leave pages and feeds at once, so stories still count each outlet once.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseCommandLine } from '../src/cli/cli-args.js';
import { loadEnv } from '../src/config/env.js';
import { parseConfigText } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { startNewsmerge } from '../src/newsmerge.js';
import { readVersion } from '../src/version.js';
import { DEMO_FEEDS as FEEDS, DEMO_TYPES as TYPES, demoConfig, renderDemoFeed as render } from './demo-outlets.js';

parseCommandLine(
  {
    name: 'newsmerge demo',
    usage: 'Usage: npm run demo',
    description: `Serves five sample outlets on 127.0.0.1 and runs newsmerge on them (no internet needed).
Data and the demo's config go to NEWSMERGE_DATA (default ./data/demo); PORT (default 3000) is the server's port.`,
  },
  {},
  { maxPositionals: 0 },
);

function listen(server: Server, port: number): Promise<boolean> {
  return new Promise((done, fail) => {
    const onError = (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? done(false) : fail(err));
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      done(true);
    });
  });
}

/** The outlets' port of the previous run on this data directory, from the config it wrote; null on a first run. */
function previousPort(configPath: string): number | null {
  try {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { feeds?: Array<{ url?: string }> };
    const port = Number(new URL(config.feeds?.[0]?.url ?? '').port);
    return Number.isInteger(port) && port > 0 ? port : null;
  } catch {
    return null;
  }
}

async function startOutlets(preferredPort: number | null): Promise<string> {
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
  if (preferredPort === null || !(await listen(server, preferredPort))) {
    if (preferredPort !== null) {
      process.stderr.write(
        `Port ${preferredPort} of the previous demo run is taken: the sample outlets move to a new port. Their old feed URLs are ` +
          'removed from the config; what newsmerge stored from them leaves pages and feeds now and is deleted after retentionDays.\n',
      );
    }
    await listen(server, 0);
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// The config is written into the data directory, never to NEWSMERGE_CONFIG: the demo must not overwrite a real config.
const dataDir = process.env.NEWSMERGE_DATA || './data/demo';
const env = loadEnv({ ...process.env, NEWSMERGE_DATA: dataDir, NEWSMERGE_CONFIG: join(dataDir, 'feeds.config.json') });
mkdirSync(env.dataDir, { recursive: true });
const outlets = await startOutlets(previousPort(env.configPath));
const configText = JSON.stringify(demoConfig(`${outlets}/outlets/`), null, 2);
writeFileSync(env.configPath, configText);
const logger = createLogger(env.logLevel);
const app = await startNewsmerge({ env, config: parseConfigText(configText, env.configPath), logger, version: readVersion() });
await app.poller.poll({ mode: 'all' });
// With PORT=0 the server got a free port: print the real one (a given NEWSMERGE_BASE_URL is kept).
const base = env.port === 0 && !process.env.NEWSMERGE_BASE_URL ? `http://localhost:${app.port}/` : env.baseUrl;
process.stdout.write(`
newsmerge demo is running. Sample outlets: ${outlets}/outlets/
  Home page            ${base}
  World (RSS)          ${base}topics/world.rss
  World (Atom)         ${base}topics/world.atom
  World (JSON Feed)    ${base}topics/world.json
  Science (JSON Feed)  ${base}topics/science.json
  All topics           ${base}all.rss
  Blindspots           ${base}blindspots
  Left's blindspot     ${base}all.rss?blindspot=left
  Feed status (API)    ${base}api/feeds
Press Ctrl+C to stop.
`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
