import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSeries, rssFeed } from '../helpers/feed-builder.js';
import { FixtureServer } from '../helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp } from '../helpers/test-app.js';
import { freePort } from '../helpers/waiting.js';

const T0 = Date.parse('2022-02-17T12:00:00Z');

/**
 * `npm run test:proxy`: the shipped deploy/nginx-cache.conf, pointed at a running newsmerge, in front of it
 * (Debian's nginx; not part of `npm test`, since a fresh machine has none: .ci/run installs it).
 */
describe('nginx proxy_cache in front of newsmerge (deploy/nginx-cache.conf)', () => {
  let outlet: FixtureServer;
  let nm: TestApp;
  let nginx: ChildProcess;
  let base: string;
  let log = '';

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    outlet.routes.set('/feed', { body: rssFeed(itemSeries('a', 3, T0, 3_600_000)) });
    // Feeds fresh for one second, so that the test sees entries expire and be revalidated.
    nm = await startTestApp({ feeds: [{ url: outlet.url('/feed'), title: 'Outlet', tags: ['world'] }], now: T0, config: { cacheMaxAge: 1 } });
    await nm.pollAll();
    const dir = tempDir('newsmerge-nginx-');
    mkdirSync(join(dir, 'cache'));
    mkdirSync(join(dir, 'logs'));
    const port = await freePort();
    const conf = readFileSync(resolve(import.meta.dirname, '../../deploy/nginx-cache.conf'), 'utf8')
      .replace('server newsmerge:3000;', `server 127.0.0.1:${nm.app.port};`)
      .replace('/var/cache/nginx/newsmerge', join(dir, 'cache'))
      .replace('listen 8080;', `listen 127.0.0.1:${port};`)
      .replace('worker_processes auto;', 'worker_processes 1;');
    writeFileSync(join(dir, 'nginx.conf'), conf);
    nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `daemon off; master_process off; pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'logs/error.log')};`], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stdout!.on('data', (d) => (log += d));
    nginx.stderr!.on('data', (d) => (log += d));
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${base}/healthz`).catch(() => null))?.ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nginx did not start:\n${log}`);
  });

  afterAll(async () => {
    nginx?.kill('SIGQUIT');
    await nm?.close();
    await outlet?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

  /** Topic feed requests newsmerge itself answered with `status`, from its Prometheus metrics. */
  const answered = async (status: number): Promise<number> => {
    const text = await (await fetch(nm.url('/metrics'))).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('newsmerge_http_requests_total') && l.includes('route="/topics/') && l.includes(`status="${status}"`))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  };
  // nginx keeps time in whole seconds: a max-age of 1 s has surely passed after 2.2 s.
  const expire = () => new Promise((r) => setTimeout(r, 2_200));

  it('answers repeats from its cache, revalidates with the ETag once expired, and fetches anew after a change', async () => {
    const gzip = { 'accept-encoding': 'gzip' };
    const first = await get('/topics/world.rss', gzip);
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    const etag = first.headers.get('etag');
    const body = await first.text();
    const second = await get('/topics/world.rss', gzip);
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(await second.text()).toBe(body);
    expect(await answered(200)).toBe(1);

    // Expired and unchanged: the copy is served at once while nginx asks newsmerge with If-None-Match, and
    // newsmerge's 304 makes it fresh again; nothing is rendered or sent twice.
    await expire();
    const stale = await get('/topics/world.rss', gzip);
    expect(['STALE', 'REVALIDATED']).toContain(stale.headers.get('x-cache-status'));
    expect(await stale.text()).toBe(body);
    await expect.poll(() => answered(304), { timeout: 3_000, interval: 50 }).toBe(1);
    const fresh = await get('/topics/world.rss', gzip);
    expect(fresh.headers.get('x-cache-status')).toBe('HIT');
    expect(fresh.headers.get('etag')).toBe(etag);
    expect(await answered(200)).toBe(1);

    // Another encoding is another variant (Vary: Accept-Encoding), never the gzip body.
    const identity = await get('/topics/world.rss', { 'accept-encoding': 'identity' });
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect(await identity.text()).toBe(body);

    // A poll changes the topic: once expired, nginx fetches the new content and serves it from then on.
    outlet.routes.set('/feed', { body: rssFeed(itemSeries('a', 5, T0, 3_600_000)) });
    await nm.pollAll();
    await expire();
    await get('/topics/world.rss', gzip);
    await expect
      .poll(async () => {
        const res = await get('/topics/world.rss', gzip);
        return `${res.headers.get('x-cache-status')} ${res.headers.get('etag') !== etag} ${((await res.text()).match(/<item>/g) ?? []).length}`;
      }, { timeout: 5_000, interval: 100 })
      .toBe('HIT true 5');
  });

  it('never caches what is sent with credentials (the admin API)', async () => {
    const res = await get('/api/feeds', { authorization: 'Bearer not-the-token-but-still-credentials' });
    expect(res.headers.get('x-cache-status')).toBe('BYPASS');
  });
});
