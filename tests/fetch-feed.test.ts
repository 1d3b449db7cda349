import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher, type FetchRequest } from '../src/ingest/fetch-feed.js';
import { FixtureServer } from './helpers/fixture-server.js';

const BODY = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>';

function request(url: string, extra: Partial<FetchRequest> = {}): FetchRequest {
  return { url, userAgent: 'newsmerge/test', timeoutMs: 5_000, maxBytes: 64 * 1024, ...extra };
}

describe('fetching a feed', () => {
  const server = new FixtureServer();
  const fetcher = createFetcher();

  beforeAll(async () => {
    await server.start();
    server.routes.set('/validators', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"' || req.headers['if-modified-since'] === 'Wed, 16 Feb 2022 10:00:00 GMT') {
        res.writeHead(304, { etag: '"v1"' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"', 'last-modified': 'Wed, 16 Feb 2022 10:00:00 GMT' }).end(BODY);
    });
    for (const [name, encode] of [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
      ['br', zlib.brotliCompressSync],
    ] as const) {
      server.routes.set(`/${name}`, { headers: { 'content-type': 'application/xml', 'content-encoding': name }, body: encode(Buffer.from(BODY)) });
    }
    server.routes.set('/raw-deflate', { headers: { 'content-encoding': 'deflate' }, body: zlib.deflateRawSync(Buffer.from(BODY)) });
    server.routes.set('/bomb', { headers: { 'content-encoding': 'gzip' }, body: zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)) });
    server.routes.set('/big', { body: Buffer.alloc(200 * 1024, 0x20) });
    server.routes.set('/endless', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(timer));
    });
    server.routes.set('/slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write('<rss>');
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    server.routes.set('/p1', { status: 301, headers: { location: '/p2' } });
    server.routes.set('/p2', { status: 308, headers: { location: server.url('/validators') } });
    server.routes.set('/t1', { status: 301, headers: { location: '/t2' } });
    server.routes.set('/t2', { status: 302, headers: { location: '/validators' } });
    for (let i = 0; i < 7; i++) server.routes.set(`/loop${i}`, { status: 302, headers: { location: `/loop${i + 1}` } });
    server.routes.set('/to-js', { status: 301, headers: { location: 'javascript:alert(1)' } });
    server.routes.set('/gone', { status: 410 });
    server.routes.set('/busy', { status: 503, headers: { 'retry-after': '120' } });
    server.routes.set('/echo', (req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers)));
  });

  afterAll(async () => {
    fetcher.close();
    await server.close();
  });

  it('sends a User-Agent naming newsmerge, Accept and Accept-Encoding, and configured headers', async () => {
    const out = await fetcher.fetch(request(server.url('/echo'), { headers: { Authorization: 'Basic abc', 'X-Api': '1' } }));
    expect(out.kind).toBe('ok');
    const headers = JSON.parse((out as { body: Buffer }).body.toString()) as Record<string, string>;
    expect(headers['user-agent']).toBe('newsmerge/test');
    expect(headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(headers.accept).toContain('application/rss+xml');
    expect(headers.authorization).toBe('Basic abc');
    expect(headers['x-api']).toBe('1');
  });

  it('does a conditional GET with ETag and with Last-Modified', async () => {
    const first = await fetcher.fetch(request(server.url('/validators')));
    expect(first.kind).toBe('ok');
    if (first.kind !== 'ok') return;
    expect(first.headers.etag).toBe('"v1"');
    expect((await fetcher.fetch(request(server.url('/validators'), { etag: '"v1"' }))).kind).toBe('not-modified');
    expect((await fetcher.fetch(request(server.url('/validators'), { lastModified: 'Wed, 16 Feb 2022 10:00:00 GMT' }))).kind).toBe('not-modified');
    expect((await fetcher.fetch(request(server.url('/validators'), { etag: '"old"' }))).kind).toBe('ok');
  });

  it.each(['gzip', 'deflate', 'raw-deflate', 'br'])('decodes a %s body', async (path) => {
    const out = await fetcher.fetch(request(server.url(`/${path}`)));
    expect(out.kind).toBe('ok');
    expect((out as { body: Buffer }).body.toString()).toBe(BODY);
  });

  it('stops at the size limit, counting decompressed bytes', async () => {
    const big = await fetcher.fetch(request(server.url('/big')));
    expect(big).toMatchObject({ kind: 'failed', reason: 'too-large' });
    const bomb = await fetcher.fetch(request(server.url('/bomb'), { maxBytes: 1024 * 1024 }));
    expect(bomb).toMatchObject({ kind: 'failed', reason: 'too-large' });
    expect((bomb as { message: string }).message).toContain('decompressed');
    const endless = await fetcher.fetch(request(server.url('/endless'), { maxBytes: 2 * 1024 * 1024 }));
    expect(endless).toMatchObject({ kind: 'failed', reason: 'too-large' });
  });

  it('gives up on a body that trickles past the total timeout', async () => {
    const started = Date.now();
    const out = await fetcher.fetch(request(server.url('/slow'), { timeoutMs: 600 }));
    expect(out).toMatchObject({ kind: 'failed', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('does not take a body without length or chunking that a timeout cut short for a whole one', async () => {
    const raw = createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n<rss version="2.0"><channel>');
      const timer = setInterval(() => socket.write(' '), 50);
      socket.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const out = await fetcher.fetch(request(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/feed`, { timeoutMs: 300 }));
      expect(out).toMatchObject({ kind: 'failed', reason: 'timeout' });
    } finally {
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });

  it('follows redirects, recording a chain of permanent ones', async () => {
    const permanent = await fetcher.fetch(request(server.url('/p1')));
    expect(permanent).toMatchObject({ kind: 'ok', permanentRedirect: server.url('/validators'), finalUrl: server.url('/validators') });
    const mixed = await fetcher.fetch(request(server.url('/t1')));
    expect(mixed).toMatchObject({ kind: 'ok', permanentRedirect: null });
  });

  it('refuses more than 5 redirects and redirects to non-http URLs', async () => {
    expect(await fetcher.fetch(request(server.url('/loop0')))).toMatchObject({ kind: 'failed', reason: 'too-many-redirects' });
    expect(await fetcher.fetch(request(server.url('/to-js')))).toMatchObject({ kind: 'failed', reason: 'bad-redirect' });
  });

  it('reports HTTP errors with their status and headers', async () => {
    expect(await fetcher.fetch(request(server.url('/gone')))).toMatchObject({ kind: 'http-error', status: 410 });
    const busy = await fetcher.fetch(request(server.url('/busy')));
    expect(busy).toMatchObject({ kind: 'http-error', status: 503 });
    expect((busy as { headers: Record<string, string> }).headers['retry-after']).toBe('120');
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await fetcher.fetch(request(`http://127.0.0.1:${port}/feed`))).toMatchObject({ kind: 'failed', reason: 'network', message: 'connection refused' });
  });
});

describe('redirect safety', () => {
  let publicOutlet: FixtureServer;
  let privateService: Server;
  let privatePort = 0;
  const seen: Array<Record<string, unknown>> = [];
  // 127.0.0.2 stands in for a public outlet; every other address counts as private.
  const fetcher = createFetcher({ classifyAddress: (address) => address !== '127.0.0.2' });

  beforeAll(async () => {
    privateService = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/xml' }).end(BODY);
    });
    await new Promise<void>((resolve) => privateService.listen(0, '127.0.0.1', resolve));
    privatePort = (privateService.address() as AddressInfo).port;
    publicOutlet = await new FixtureServer().start('127.0.0.2');
    publicOutlet.routes.set('/to-private-ip', { status: 302, headers: { location: `http://127.0.0.1:${privatePort}/admin` } });
    publicOutlet.routes.set('/to-private-name', { status: 302, headers: { location: `http://localhost:${privatePort}/admin` } });
    publicOutlet.routes.set('/to-self', { status: 301, headers: { location: '/feed' } });
    publicOutlet.routes.set('/feed', { headers: { 'content-type': 'application/xml' }, body: BODY });
  });

  afterAll(async () => {
    fetcher.close();
    await publicOutlet.close();
    await new Promise<void>((resolve) => privateService.close(() => resolve()));
  });

  it('never lets a public outlet redirect the server to a private address', async () => {
    expect(await fetcher.fetch(request(publicOutlet.url('/to-private-ip')))).toMatchObject({ kind: 'failed', reason: 'private-address' });
    expect(await fetcher.fetch(request(publicOutlet.url('/to-private-name')))).toMatchObject({ kind: 'failed', reason: 'private-address' });
    expect(seen).toHaveLength(0);
    expect(await fetcher.fetch(request(publicOutlet.url('/to-self')))).toMatchObject({ kind: 'ok' });
  });

  it('lets a feed the operator configured on a private address be fetched and redirect', async () => {
    const out = await fetcher.fetch(request(`http://127.0.0.1:${privatePort}/feed`));
    expect(out.kind).toBe('ok');
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const local = await new FixtureServer().start();
    try {
      local.routes.set('/away', { status: 302, headers: { location: `http://localhost:${privatePort}/other` } });
      seen.length = 0;
      const out = await fetcher.fetch(request(local.url('/away'), { headers: { Authorization: 'Bearer secret', Cookie: 'a=b', 'X-Keep': '1' } }));
      expect(out.kind).toBe('ok');
      expect(seen[0]).not.toHaveProperty('authorization');
      expect(seen[0]).not.toHaveProperty('cookie');
      expect(seen[0]).toHaveProperty('x-keep', '1');
    } finally {
      await local.close();
    }
  });
});
