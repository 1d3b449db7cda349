import { createHmac } from 'node:crypto';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../src/ingest/parse-feed.js';
import { signatureMatches } from '../src/push/outlet-subscriptions.js';
import { itemSeries, rssFeed, type TestItem } from './helpers/feed-builder.js';
import { FixtureServer, readBody } from './helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp, type TestAppOptions } from './helpers/test-app.js';
import { freePort, until } from './helpers/waiting.js';

const T0 = Date.parse('2022-02-17T12:00:00Z');
/** The lease the publisher's hub grants, in seconds (shorter than the 4 h maxInterval, to see polling resume). */
const LEASE_S = 7_200;
const MAX_INTERVAL_S = 4 * 3_600;

/** One request on a fresh connection: newsmerge restarts on the same port, and a kept-alive socket would be stale. */
function send(url: string | URL, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

interface HubSubscription {
  topic: string;
  callback: string;
  secret: string;
  lease: number;
}

/**
 * A publisher's WebSub hub: takes subscription requests (202), verifies intent by GETting the callback with
 * a challenge, and POSTs signed feed documents to verified subscribers.
 */
class PublisherHub extends FixtureServer {
  /** The subscription requests received, in order. */
  readonly forms: URLSearchParams[] = [];
  readonly verified: HubSubscription[] = [];
  readonly failedVerifications: string[] = [];
  /** Answer subscription requests with this status (a broken hub: 500). */
  answer = 202;

  protected override unrouted(req: IncomingMessage, res: ServerResponse): void {
    void readBody(req).then((body) => {
      const form = new URLSearchParams(body.toString());
      this.forms.push(form);
      res.writeHead(this.answer).end();
      if (this.answer === 202) void this.verify(form);
    });
  }

  override url(path = '/hub'): string {
    return super.url(path);
  }

  /** The latest verified subscription. */
  get current(): HubSubscription {
    return this.verified.at(-1)!;
  }

  private async verify(form: URLSearchParams): Promise<void> {
    const callback = form.get('hub.callback')!;
    const challenge = `challenge-${this.forms.length}-${Math.random()}`;
    const res = await verification(callback, { 'hub.mode': form.get('hub.mode')!, 'hub.topic': form.get('hub.topic')!, 'hub.challenge': challenge, 'hub.lease_seconds': String(LEASE_S) });
    if (res.status === 200 && res.body === challenge) {
      this.verified.push({ topic: form.get('hub.topic')!, callback, secret: form.get('hub.secret') ?? '', lease: LEASE_S });
    } else {
      this.failedVerifications.push(`${res.status} ${res.body}`);
    }
  }

  /** Distributes a document to the current subscriber, signed as told. */
  async publish(body: string, sign: 'sha256' | 'sha1' | 'sha512' | 'wrong' | 'none' = 'sha256'): Promise<number> {
    const sub = this.current;
    const headers: Record<string, string> = { 'content-type': 'application/rss+xml', link: `<${this.url()}>; rel="hub", <${sub.topic}>; rel="self"` };
    if (sign === 'wrong') headers['x-hub-signature'] = `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`;
    else if (sign !== 'none') headers['x-hub-signature'] = `${sign}=${createHmac(sign, sub.secret).update(body).digest('hex')}`;
    return (await send(sub.callback, { method: 'POST', headers, body })).status;
  }
}

/** A hub's GET to a callback URL with these hub.* parameters (a verification, or a forged one). */
function verification(callback: string | URL, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(callback);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return send(url);
}

/** An RSS document naming its hub and itself with atom:link, as WebSub publishers do. */
function pushingFeed(items: TestItem[], hub: string, self: string): string {
  return rssFeed(items, { title: 'Pushing Outlet' })
    .replace('<rss version="2.0">', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">')
    .replace('<channel>', `<channel><atom:link rel="hub" href="${hub}"/><atom:link rel="self" href="${self}" type="application/rss+xml"/>`);
}

/** Serves at `path` of `outlet` a feed of `items` that names `hub` and itself. */
function servePushing(outlet: FixtureServer, path: string, items: TestItem[], hub: string): void {
  outlet.routes.set(path, { headers: { 'content-type': 'application/rss+xml' }, body: pushingFeed(items, hub, outlet.url(path)) });
}

/** The first configured feed as /api/feeds shows it. */
const feedStatus = async (nm: TestApp) => (await nm.json<{ feeds: any[] }>('/api/feeds')).feeds[0];

/**
 * An outlet whose feed names a hub, and a newsmerge (started with `options`) that polled it once and checked
 * its subscriptions; `check` sees them, then all three stop.
 */
async function withPushingOutlet(options: Omit<TestAppOptions, 'feeds' | 'now'>, check: (nm: TestApp, hub: PublisherHub) => Promise<void>): Promise<void> {
  const outlet = await new FixtureServer().start();
  const hub = await new PublisherHub().start();
  servePushing(outlet, '/p.rss', itemSeries('pushing', 2, T0 - 3_600_000, 600_000), hub.url());
  const nm = await startTestApp({ ...options, now: T0, feeds: [{ url: outlet.url('/p.rss'), title: 'P', tags: ['world'] }] });
  try {
    await nm.pollAll();
    await nm.app.push.idle();
    await nm.app.push.outlets.check();
    await check(nm, hub);
  } finally {
    await nm.close();
    await outlet.close();
    await hub.close();
  }
}

describe('feeds name their WebSub hub', () => {
  const opts = { feedUrl: 'https://outlet.example/feed', fetchedAt: T0, maxItems: 100 };

  it('reads rel="hub" and rel="self" from Atom, RSS (atom:link) and JSON Feed (hubs), made absolute', async () => {
    const atom = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link rel="hub" href="https://hub.example/"/><link rel="self" href="/atom.xml"/><link href="https://outlet.example/"/></feed>`,
      opts,
    );
    expect([atom.hub, atom.self]).toEqual(['https://hub.example/', 'https://outlet.example/atom.xml']);
    const rss = await parseFeed(pushingFeed([], 'https://pubsubhubbub.appspot.com/', 'https://outlet.example/rss?x=1&amp;y=2'), opts);
    expect([rss.hub, rss.self]).toEqual(['https://pubsubhubbub.appspot.com/', 'https://outlet.example/rss?x=1&y=2']);
    const json = await parseFeed(
      JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'J', feed_url: 'https://outlet.example/feed.json', hubs: [{ type: 'WebSub', url: 'https://hub.example/j' }], items: [] }),
      opts,
    );
    expect([json.hub, json.self]).toEqual(['https://hub.example/j', 'https://outlet.example/feed.json']);
    const none = await parseFeed(rssFeed([]), opts);
    expect([none.hub, none.self]).toEqual([null, null]);
  });

  it('checks X-Hub-Signature with sha1, sha256, sha384 and sha512, and nothing else', () => {
    const body = Buffer.from('<rss/>');
    for (const method of ['sha1', 'sha256', 'sha384', 'sha512']) {
      expect(signatureMatches(`${method}=${createHmac(method, 'k').update(body).digest('hex')}`, 'k', body), method).toBe(true);
    }
    expect(signatureMatches(`md5=${createHmac('md5', 'k').update(body).digest('hex')}`, 'k', body)).toBe(false);
    expect(signatureMatches(`sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`, 'k', body)).toBe(false);
    expect(signatureMatches(undefined, 'k', body)).toBe(false);
    expect(signatureMatches('sha256=zz', 'k', body)).toBe(false);
  });
});

describe('outlets that push (WebSub subscriber)', () => {
  let outlet: FixtureServer;
  let hub: PublisherHub;
  let nm: TestApp;
  let port: number;
  let base: string;
  let items: TestItem[];
  const dataDir = tempDir();
  const feedPath = '/pushing.rss';
  const feedUrl = () => outlet.url(feedPath);

  const serve = () => servePushing(outlet, feedPath, items, hub.url());
  const start = async (now: number) => {
    nm = await startTestApp({
      dataDir,
      baseUrl: base,
      now,
      env: { PORT: String(port) },
      feeds: [{ url: feedUrl(), title: 'Pushing Outlet', tags: ['world'] }],
      config: { websub: { allowPrivateHubs: true }, maxFeedBytes: 64 * 1024 },
    });
  };
  const titles = async () => ((await nm.json<{ items: Array<{ title: string }> }>('/topics/world.json')).items ?? []).map((i) => i.title);
  const feedFetches = () => outlet.requestsFor(feedPath).length;

  beforeAll(async () => {
    outlet = await new FixtureServer().start();
    hub = await new PublisherHub().start();
    port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    items = itemSeries('push', 2, T0 - 3_600_000, 600_000);
    serve();
    await start(T0);
  });

  afterAll(async () => {
    await nm.close();
    await outlet.close();
    await hub.close();
  });

  it('subscribes to the hub a polled feed names, and answers its verification with the challenge', async () => {
    await nm.pollAll();
    await nm.app.push.idle();
    await until(() => hub.verified.length === 1, 'the hub to verify the subscription');
    const [request] = hub.forms;
    expect(request!.get('hub.mode')).toBe('subscribe');
    expect(request!.get('hub.topic')).toBe(feedUrl());
    expect(request!.get('hub.callback')).toMatch(new RegExp(`^${base}websub/callback/\\d+/[A-Za-z0-9_-]{32}$`));
    expect(request!.get('hub.secret')!.length).toBeGreaterThanOrEqual(32);
    const status = await feedStatus(nm);
    expect(status.push).toMatchObject({ hub: hub.url(), state: 'live', since: new Date(T0).toISOString(), lastPushAt: null });
  });

  it('lengthens the polling interval to maxInterval while the subscription is live', async () => {
    const before = await feedStatus(nm);
    expect(before.intervalSeconds).toBe(600);
    await nm.pollAll();
    const after = await feedStatus(nm);
    expect(after.intervalSeconds).toBe(MAX_INTERVAL_S);
    const wait = Date.parse(after.nextFetchAt) - T0;
    expect(wait).toBeGreaterThanOrEqual(MAX_INTERVAL_S * 1_000);
    expect(wait).toBeLessThanOrEqual(MAX_INTERVAL_S * 1_000 * 1.25 + 1);
  });

  it('stores a pushed item through the poll pipeline: it appears in the topic feed without a poll', async () => {
    const fetches = feedFetches();
    const pushed = itemSeries('breaking', 1, T0 - 60_000, 60_000);
    expect(await hub.publish(pushingFeed(pushed, hub.url(), feedUrl()))).toBe(202);
    await nm.app.push.idle();
    expect(await titles()).toContain(pushed[0]!.title);
    expect(feedFetches()).toBe(fetches);
    const status = await feedStatus(nm);
    expect(status.push.lastPushAt).toBe(new Date(T0).toISOString());
    // The validators and the schedule are polling's: a push leaves them as they were.
    expect(status.intervalSeconds).toBe(MAX_INTERVAL_S);
  });

  it('ignores (yet acknowledges) pushes with a wrong or missing signature, and takes sha1 or sha512', async () => {
    const forged = itemSeries('forged', 1, T0 - 30_000, 60_000);
    const unsigned = itemSeries('unsigned', 1, T0 - 30_000, 60_000);
    expect(await hub.publish(pushingFeed(forged, hub.url(), feedUrl()), 'wrong')).toBe(202);
    expect(await hub.publish(pushingFeed(unsigned, hub.url(), feedUrl()), 'none')).toBe(202);
    await nm.app.push.idle();
    const shown = await titles();
    expect(shown).not.toContain(forged[0]!.title);
    expect(shown).not.toContain(unsigned[0]!.title);
    const sha1 = itemSeries('sha-one', 1, T0 - 20_000, 60_000);
    const sha512 = itemSeries('sha-five', 1, T0 - 10_000, 60_000);
    expect(await hub.publish(pushingFeed(sha1, hub.url(), feedUrl()), 'sha1')).toBe(202);
    expect(await hub.publish(pushingFeed(sha512, hub.url(), feedUrl()), 'sha512')).toBe(202);
    await nm.app.push.idle();
    expect(await titles()).toEqual(expect.arrayContaining([sha1[0]!.title, sha512[0]!.title]));
  });

  it('answers verifications and pushes only for its own callbacks, requests and topics; bounds the body', async () => {
    const callback = new URL(hub.current.callback);
    // Nothing is pending: a (forged) subscribe or unsubscribe verification is refused.
    expect((await verification(callback, { 'hub.mode': 'unsubscribe', 'hub.topic': feedUrl(), 'hub.challenge': 'x' })).status).toBe(404);
    expect((await verification(callback, { 'hub.mode': 'subscribe', 'hub.topic': feedUrl(), 'hub.challenge': 'x' })).status).toBe(404);
    expect((await verification(callback, { 'hub.mode': 'subscribe', 'hub.topic': 'https://elsewhere.example/feed', 'hub.challenge': 'x' })).status).toBe(404);
    const wrongToken = new URL(callback.href.replace(/[^/]+$/, 'A'.repeat(32)));
    expect((await verification(wrongToken, { 'hub.mode': 'subscribe', 'hub.topic': feedUrl(), 'hub.challenge': 'x' })).status).toBe(404);
    expect((await send(wrongToken, { method: 'POST', body: 'x' })).status).toBe(404);
    const big = await send(callback, { method: 'POST', headers: { 'content-type': 'application/rss+xml' }, body: 'x'.repeat(65 * 1024) });
    expect(big.status).toBe(413);
    expect((await feedStatus(nm)).push.state).toBe('live');
  });

  it('keeps the subscription across a restart, goes on taking pushes, and renews the lease before it ends', async () => {
    const secret = hub.current.secret;
    await nm.close({ keepData: true });
    await start(T0 + 60_000);
    const afterRestart = itemSeries('after-restart', 1, T0, 60_000);
    expect(await hub.publish(pushingFeed(afterRestart, hub.url(), feedUrl()))).toBe(202);
    await nm.app.push.idle();
    expect(await titles()).toContain(afterRestart[0]!.title);
    // 80 % into the lease: renewed at the same callback with the same secret.
    const requests = hub.forms.length;
    nm.clock.now = T0 + 0.85 * LEASE_S * 1_000;
    await nm.app.push.outlets.check();
    await until(() => hub.verified.length === 2, 'the hub to verify the renewal');
    expect(hub.forms.length).toBe(requests + 1);
    expect(hub.current.callback).toBe(hub.verified[0]!.callback);
    expect(hub.current.secret).toBe(secret);
    const status = await feedStatus(nm);
    expect(status.push).toMatchObject({ state: 'live', since: new Date(T0).toISOString(), expiresAt: new Date(nm.clock.now + LEASE_S * 1_000).toISOString() });
  });

  it('resumes polling at the normal interval when the lease ends and the hub refuses to renew', async () => {
    hub.answer = 500;
    const renewedUntil = Date.parse((await feedStatus(nm)).push.expiresAt);
    nm.clock.now = renewedUntil + 1_000;
    await nm.app.push.outlets.check();
    const status = await feedStatus(nm);
    expect(status.push.state).toBe('failed');
    expect(status.push.lastError).toMatch(/HTTP 500/);
    // The poll put off to maxInterval is due at once now that pushes stopped.
    expect(Date.parse(status.nextFetchAt)).toBeGreaterThan(nm.clock.now);
    const fetches = feedFetches();
    await nm.app.poller.poll({ mode: 'due' });
    expect(feedFetches()).toBe(fetches + 1);
    expect((await feedStatus(nm)).intervalSeconds).toBe(600);
  });
});

describe('outlet push is off when the hubs could not call newsmerge back', () => {
  it('does not subscribe with a loopback base URL unless websub.allowPrivateHubs is set, and shows push as off', async () => {
    await withPushingOutlet({ baseUrl: 'http://127.0.0.1:9/' }, async (nm, hub) => {
      expect(hub.forms).toHaveLength(0);
      const feed = await feedStatus(nm);
      expect(feed.push).toEqual({ hub: hub.url(), state: 'off', since: null, lastPushAt: null, expiresAt: null, lastError: null });
      expect(feed.intervalSeconds).toBe(600);
    });
  });
});

describe('an outlet that moves to another hub', () => {
  it('subscribes at the new hub and still answers the old hub\'s unsubscribe verification', async () => {
    const outlet = await new FixtureServer().start();
    const oldHub = await new PublisherHub().start();
    const newHub = await new PublisherHub().start();
    const port = await freePort();
    const items = itemSeries('moving', 2, T0 - 3_600_000, 600_000);
    const serve = (hubUrl: string) => servePushing(outlet, '/m.rss', items, hubUrl);
    serve(oldHub.url());
    const nm = await startTestApp({
      baseUrl: `http://127.0.0.1:${port}/`,
      now: T0,
      env: { PORT: String(port) },
      feeds: [{ url: outlet.url('/m.rss'), title: 'Moving', tags: ['world'] }],
      config: { websub: { allowPrivateHubs: true } },
    });
    try {
      await nm.pollAll();
      await nm.app.push.idle();
      await until(() => oldHub.verified.length === 1, 'the old hub to verify the subscription');
      serve(newHub.url());
      nm.clock.now += 60_000;
      await nm.pollAll();
      await nm.app.push.idle();
      await nm.app.push.outlets.check();
      await until(() => newHub.verified.length === 1 && oldHub.verified.length + oldHub.failedVerifications.length === 2, 'both hubs to verify');
      expect(oldHub.forms.at(-1)!.get('hub.mode')).toBe('unsubscribe');
      expect(oldHub.failedVerifications).toEqual([]);
      expect(oldHub.verified[1]!.callback).toBe(oldHub.verified[0]!.callback);
      expect(newHub.current.callback).not.toBe(oldHub.verified[0]!.callback);
      expect((await feedStatus(nm)).push).toMatchObject({ hub: newHub.url(), state: 'live' });

      // A verification that must write while the ingest side holds the lock: 503, so that the hub tries again.
      const lock = new Database(join(nm.dataDir, 'newsmerge.db'));
      try {
        lock.exec('BEGIN IMMEDIATE');
        expect((await verification(newHub.current.callback, { 'hub.mode': 'denied', 'hub.topic': newHub.current.topic })).status).toBe(503);
      } finally {
        if (lock.inTransaction) lock.exec('ROLLBACK');
        lock.close();
      }
      expect((await feedStatus(nm)).push.state).toBe('live');
    } finally {
      await nm.close();
      await outlet.close();
      await oldHub.close();
      await newHub.close();
    }
  });
});

describe('hubs over plain HTTP', () => {
  it('are not sent a secret: not subscribed to unless websub.allowPrivateHubs is set, and the log says why', async () => {
    const log: string[] = [];
    // A public base URL: only the hub's scheme stands in the way.
    await withPushingOutlet({ baseUrl: 'http://93.184.216.34/', log }, async (nm, hub) => {
      expect(hub.forms).toHaveLength(0);
      expect(log.some((line) => line.includes('is not HTTPS'))).toBe(true);
      expect((await feedStatus(nm)).push.state).toBe('off');
    });
  });
});
