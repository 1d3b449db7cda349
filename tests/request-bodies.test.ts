import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../src/ingest/address-policy.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const TOKEN = 'body-limit-token-0123456789';

/**
 * POSTs `bytes` bytes chunked (no Content-Length), as a client that wants to get past a length check would,
 * and resolves with the status as soon as the server answers (it may answer, and close, before the upload ends).
 */
function postChunked(url: string, bytes: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => (req.writableEnded ? undefined : reject(err)));
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += 4096;
        if (!req.write('a'.repeat(4096))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('a request body is bounded however it is sent', () => {
  let nm: TestApp;

  beforeAll(async () => {
    nm = await startTestApp({ feeds: [], env: { NEWSMERGE_ADMIN_TOKEN: TOKEN } });
  });

  afterAll(() => nm.close());

  it('refuses a chunked subscription request past 16 KB with a 413', async () => {
    const res = await postChunked(nm.url('/websub'), 1_000_000, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(413);
    expect((JSON.parse(res.body) as { error: string }).error).toMatch(/too large/);
  });
});

describe('the address policy', () => {
  it('counts IPv6 forms that embed an IPv4 address as private', () => {
    for (const address of ['::7f00:1', '::1', '::', '2002:7f00:1::1', '2002:c0a8:101::1', '::ffff:127.0.0.1', 'fe80::1']) expect(isPrivateAddress(address), address).toBe(true);
    for (const address of ['2606:4700::1111', '1.1.1.1']) expect(isPrivateAddress(address), address).toBe(false);
  });
});

describe('the hub bounds what it holds in all', () => {
  let nm: TestApp;
  // A callback that accepts connections and never answers: its verification stays under way.
  let silent: FixtureServer;

  beforeAll(async () => {
    silent = await new FixtureServer().start();
    silent.routes.set('/a', () => undefined);
    nm = await startTestApp({ feeds: [], config: { websub: { allowPrivateCallbacks: true, maxSubscriptions: 1 } } });
  });

  afterAll(async () => {
    await silent.close();
    await nm.close();
  });

  it('refuses a subscription past maxSubscriptions with a 429, whatever the callback host', async () => {
    const subscribe = (callback: string) =>
      nm.get('/websub', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': 'http://news.test/topics/world.rss', 'hub.callback': callback }).toString(),
      });
    // The first is being verified (its callback does not answer): it counts against the cap already.
    expect((await subscribe(silent.url('/a'))).status).toBe(202);
    const second = await subscribe(silent.url('/b').replace('127.0.0.1', 'localhost'));
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: string }).error).toMatch(/holds 1 subscriptions/);
  });
});
