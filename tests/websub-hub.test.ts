import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCallbackUrl } from '../src/push/outbound.js';
import { retryDelay } from '../src/push/deliveries.js';
import { itemSeries, rssFeed, type TestItem } from './helpers/feed-builder.js';
import { validateWithFeedcheck } from './helpers/feed-validators.js';
import { FixtureServer, readBody } from './helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp } from './helpers/test-app.js';
import { until } from './helpers/waiting.js';

const TOKEN = 'websub-admin-token-0123456789';
const T0 = Date.parse('2022-02-17T12:00:00Z');
const BASE = 'http://news.test/';
const TOPIC = `${BASE}topics/world.rss`;

/** A WebSub subscriber: echoes challenges (unless told not to) and records every request. */
class Subscriber extends FixtureServer {
  readonly verifications: URLSearchParams[] = [];
  readonly deliveries: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
  echo = true;

  protected override unrouted(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET') {
      this.verifications.push(url.searchParams);
      res.writeHead(this.echo ? 200 : 404, { 'content-type': 'text/plain' }).end(this.echo ? url.searchParams.get('hub.challenge') : 'no');
      return;
    }
    void readBody(req).then(async (body) => {
      this.deliveries.push({ headers: req.headers, body });
      await this.held;
      res.writeHead(204).end();
    });
  }

  override url(path = '/callback'): string {
    return super.url(path);
  }
}

describe('newsmerge is the WebSub hub of its own topic feeds', () => {
  let outlets: FixtureServer;
  let subscriber: Subscriber;
  let nm: TestApp;
  const dataDir = tempDir();
  let wire: TestItem[];
  let daily: TestItem[];

  const serveOutlets = () => {
    outlets.routes.set('/wire.rss', { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(wire, { title: 'Wire' }) });
    outlets.routes.set('/daily.rss', { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(daily, { title: 'Daily' }) });
  };
  const start = async () => {
    nm = await startTestApp({
      dataDir,
      baseUrl: BASE,
      now: T0,
      env: { NEWSMERGE_ADMIN_TOKEN: TOKEN },
      feeds: [
        { url: outlets.url('/wire.rss'), title: 'Wire Service', tags: ['world'] },
        { url: outlets.url('/daily.rss'), title: 'The Daily', tags: ['world'] },
      ],
      config: { websub: { allowPrivateCallbacks: true, maxSubscriptionsPerHost: 3 } },
    });
  };
  const hub = (fields: Record<string, string>) =>
    nm.get('/websub', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  const settle = async () => nm.app.push.idle();
  const admin = async (path: string) => (await nm.get(path, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<any>;

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    subscriber = await new Subscriber().start();
    wire = itemSeries('wire', 2, T0 - 3_600_000, 600_000);
    daily = itemSeries('daily', 1, T0 - 3_600_000, 600_000);
    serveOutlets();
    await start();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
    await subscriber.close();
  });

  it('advertises the hub and self in every format and in Link headers, and the feeds stay valid', async () => {
    await nm.pollAll();
    const dir = tempDir();
    const paths = [['/topics/world.rss', 'rss'], ['/topics/world+politics.atom?min_sources=1', 'atom'], ['/all.json?q=wire', 'json']] as const;
    for (const [path, format] of paths) {
      const res = await nm.get(path);
      expect(res.status, path).toBe(200);
      const self = `${BASE}${path.slice(1)}`;
      expect(res.headers.get('link')).toBe(`<${BASE}websub>; rel="hub", <${self}>; rel="self"`);
      const text = await res.text();
      if (format === 'json') {
        const doc = JSON.parse(text);
        expect(doc.hubs).toEqual([{ type: 'WebSub', url: `${BASE}websub` }]);
        expect(doc.feed_url).toBe(self);
      } else {
        expect(text).toMatch(new RegExp(`<(atom:)?link[^>]*rel="hub"`));
        expect(text).toContain(`href="${BASE}websub"`);
        expect(text).toContain(`href="${self.replaceAll('&', '&amp;')}"`);
      }
      // The fast path (a repeated request) sends the same Link header.
      expect((await nm.get(path)).headers.get('link')).toBe(res.headers.get('link'));
      const file = join(dir, `feed.${format}`);
      writeFileSync(file, text);
      validateWithFeedcheck(file, format, self);
    }
  });

  it('refuses bad subscription requests with a 400 naming the field', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'hub.mode': 'publish', 'hub.topic': TOPIC, 'hub.callback': subscriber.url() }, /hub\.mode must be subscribe or unsubscribe/],
      [{ 'hub.mode': 'subscribe', 'hub.topic': 'https://elsewhere.example/topics/world.rss', 'hub.callback': subscriber.url() }, /hub\.topic must be a feed URL of this server/],
      [{ 'hub.mode': 'subscribe', 'hub.topic': `${BASE}topics/nosuch.rss`, 'hub.callback': subscriber.url() }, /hub\.topic is not a feed of this server: .*nosuch/i],
      [{ 'hub.mode': 'subscribe', 'hub.topic': `${BASE}topics/world.rss?limit=0`, 'hub.callback': subscriber.url() }, /hub\.topic is not a feed of this server: limit/],
      [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': 'ftp://x.example/' }, /hub\.callback must be an http/],
      [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC }, /hub\.callback is required/],
      [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': subscriber.url(), 'hub.lease_seconds': 'soon' }, /hub\.lease_seconds must be a whole number/],
      [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': subscriber.url(), 'hub.secret': 'x'.repeat(200) }, /hub\.secret must be shorter than 200 bytes/],
    ];
    for (const [fields, message] of cases) {
      const res = await hub(fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    const json = await nm.get('/websub', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
    await settle();
    expect(subscriber.verifications).toHaveLength(0);
  });

  it('refuses loopback, private and link-local callbacks unless allowed', () => {
    for (const url of ['http://127.0.0.1:9/cb', 'http://localhost/cb', 'http://10.1.2.3/cb', 'http://[::1]/cb', 'http://169.254.169.254/latest', 'http://192.168.1.1/']) {
      expect(() => checkCallbackUrl(url, false), url).toThrow(/loopback, private or link-local/);
      expect(() => checkCallbackUrl(url, true), url).not.toThrow();
    }
    expect(() => checkCallbackUrl('https://user:pw@reader.example/cb', false)).toThrow(/user name or password/);
    expect(() => checkCallbackUrl('https://reader.example/cb', false)).not.toThrow();
  });

  it('subscribe → verify → a new story is pushed with a correct signature; no change, no push', async () => {
    const res = await hub({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': subscriber.url(), 'hub.secret': 's3cret', 'hub.lease_seconds': '60' });
    expect(res.status).toBe(202);
    await settle();
    expect(subscriber.verifications).toHaveLength(1);
    const v = subscriber.verifications[0]!;
    expect(v.get('hub.mode')).toBe('subscribe');
    expect(v.get('hub.topic')).toBe(TOPIC);
    expect(v.get('hub.lease_seconds')).toBe('3600');
    expect(v.get('hub.challenge')).toMatch(/^[\w-]{20,}$/);
    // Verified with the content as it is: nothing is pushed until it changes.
    expect(subscriber.deliveries).toHaveLength(0);

    wire = [{ title: 'Parliament passes the budget after a long night', link: 'https://wire.example/budget', guid: 'budget', date: T0 - 60_000 }, ...wire];
    serveOutlets();
    nm.clock.now += 60_000;
    await nm.pollAll();
    await settle();
    expect(subscriber.deliveries).toHaveLength(1);
    const push = subscriber.deliveries[0]!;
    expect(push.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(push.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', 's3cret').update(push.body).digest('hex')}`);
    expect(push.headers.link).toBe(`<${BASE}websub>; rel="hub", <${TOPIC}>; rel="self"`);
    expect(push.body.toString()).toContain('Parliament passes the budget');
    // What was pushed is what a reader gets.
    expect(push.body.toString()).toBe(await (await nm.get('/topics/world.rss')).text());

    nm.clock.now += 60_000;
    await nm.pollAll();
    await settle();
    expect(subscriber.deliveries).toHaveLength(1);

    // An outlet joining the story changes the feed: pushed again.
    daily = [{ title: 'Budget passed by parliament overnight', link: 'https://wire.example/budget', guid: 'daily-budget', date: T0 }, ...daily];
    serveOutlets();
    nm.clock.now += 60_000;
    await nm.pollAll();
    await settle();
    expect(subscriber.deliveries).toHaveLength(2);
    expect(subscriber.deliveries[1]!.body.toString()).toContain('Covered by 2 outlets');

    const api = await admin('/api/websub');
    expect(api.hub).toBe(`${BASE}websub`);
    expect(api.subscriptions).toEqual([expect.objectContaining({ topic: TOPIC, callback: subscriber.url(), state: 'active', signed: true, leaseSeconds: 3600 })]);
    expect(api.deliveries[0]).toEqual(expect.objectContaining({ state: 'delivered', attempts: 1, lastStatus: 204 }));
    expect((await nm.get('/api/websub')).status).toBe(401);
  });

  it('a callback that does not echo the challenge is not subscribed', async () => {
    subscriber.echo = false;
    const res = await hub({ 'hub.mode': 'subscribe', 'hub.topic': `${BASE}all.json`, 'hub.callback': subscriber.url('/other') });
    expect(res.status).toBe(202);
    await settle();
    subscriber.echo = true;
    const api = await admin('/api/websub');
    expect(api.subscriptions.map((s: { topic: string }) => s.topic)).toEqual([TOPIC]);
  });

  it('subscriptions survive a restart', async () => {
    await nm.close({ keepData: true });
    await start();
    wire = [{ title: 'Storm closes every harbour on the coast', link: 'https://wire.example/storm', guid: 'storm', date: T0 + 120_000 }, ...wire];
    serveOutlets();
    nm.clock.now = T0 + 300_000;
    await nm.pollAll();
    await settle();
    expect(subscriber.deliveries).toHaveLength(3);
    expect(subscriber.deliveries[2]!.body.toString()).toContain('Storm closes every harbour');
  });

  it('a change made while a delivery is being sent goes out after it', async () => {
    const pushed = subscriber.deliveries.length;
    const hashes = new Database(join(dataDir, 'newsmerge.db'), { readonly: true });
    const hash = () => hashes.prepare('SELECT content_hash FROM websub_topics WHERE topic = ?').pluck().get(TOPIC);
    const release = subscriber.holdAnswers();
    try {
      wire = [{ title: 'Ferry service resumes after the storm', link: 'https://wire.example/ferry', guid: 'ferry', date: nm.clock.now - 1_000 }, ...wire];
      serveOutlets();
      nm.clock.now += 60_000;
      await nm.pollAll();
      await until(() => subscriber.deliveries.length === pushed + 1, 'the first push');
      // The topic changes again while that push is under way (the subscriber has not answered).
      const seen = hash();
      wire = [{ title: 'Harbour reopens to cargo ships', link: 'https://wire.example/cargo', guid: 'cargo', date: nm.clock.now - 1_000 }, ...wire];
      serveOutlets();
      nm.clock.now += 60_000;
      await nm.pollAll();
      await until(() => hash() !== seen, 'the hub to see the change');
    } finally {
      release();
      hashes.close();
    }
    await settle();
    expect(subscriber.deliveries).toHaveLength(pushed + 2);
    expect(subscriber.deliveries[pushed]!.body.toString()).not.toContain('Harbour reopens to cargo ships');
    expect(subscriber.deliveries[pushed + 1]!.body.toString()).toContain('Harbour reopens to cargo ships');
  });

  it('unsubscribe (verified) stops the pushes', async () => {
    const pushed = subscriber.deliveries.length;
    const res = await hub({ 'hub.mode': 'unsubscribe', 'hub.topic': TOPIC, 'hub.callback': subscriber.url() });
    expect(res.status).toBe(202);
    await settle();
    expect(subscriber.verifications.at(-1)!.get('hub.mode')).toBe('unsubscribe');
    // The topic's hash goes with its last subscriber.
    const db = new Database(join(dataDir, 'newsmerge.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM websub_topics WHERE topic = ?').pluck().get(TOPIC)).toBe(0);
    db.close();
    wire = [{ title: 'Rail strike called off at the last minute', link: 'https://wire.example/rail', guid: 'rail', date: T0 + 360_000 }, ...wire];
    serveOutlets();
    nm.clock.now += 120_000;
    await nm.pollAll();
    await settle();
    expect(subscriber.deliveries).toHaveLength(pushed);
    expect((await admin('/api/websub')).subscriptions).toEqual([]);
  });

  it('a dead callback is retried with backoff, then dropped after 24 h', async () => {
    const dead = await new Subscriber().start();
    const callback = dead.url('/dead');
    expect((await hub({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': callback })).status).toBe(202);
    await settle();
    expect(dead.verifications).toHaveLength(1);
    await dead.close();

    wire = [{ title: 'Museum returns a stolen painting after decades', link: 'https://wire.example/museum', guid: 'museum', date: T0 + 600_000 }, ...wire];
    serveOutlets();
    nm.clock.now += 120_000;
    await nm.pollAll();
    await settle();
    let api = await admin('/api/websub');
    expect(api.subscriptions).toEqual([expect.objectContaining({ callback, state: 'retrying' })]);
    expect(api.subscriptions[0].pending).toEqual(expect.objectContaining({ attempts: 1, state: 'pending' }));
    expect(api.subscriptions[0].lastError).toMatch(/ECONNREFUSED/);

    // Not due yet: nothing is tried before the backoff delay.
    nm.clock.now += retryDelay(1) - 1_000;
    await nm.app.push.deliverDue();
    expect((await admin('/api/websub')).subscriptions[0].pending.attempts).toBe(1);
    nm.clock.now += 1_000;
    await nm.app.push.deliverDue();
    expect((await admin('/api/websub')).subscriptions[0].pending.attempts).toBe(2);

    nm.clock.now += 24 * 3_600_000;
    await nm.app.push.deliverDue();
    api = await admin('/api/websub');
    expect(api.subscriptions).toEqual([]);
  });

  it('drops expired leases and caps subscriptions per callback host', async () => {
    for (const n of [1, 2, 3]) {
      expect((await hub({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': subscriber.url(`/cb${n}`), 'hub.lease_seconds': '3600' })).status).toBe(202);
    }
    await settle();
    expect((await admin('/api/websub')).subscriptions).toHaveLength(3);
    const refused = await hub({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': subscriber.url('/cb4') });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toMatch(/holds 3 subscriptions/);

    nm.clock.now += 3_600_000 + 1;
    nm.app.push.changed();
    await settle();
    expect((await admin('/api/websub')).subscriptions).toEqual([]);
  });
});

describe('the hub with the default config, and turned off', () => {
  it('refuses a loopback callback by default, and advertises nothing when websub.enabled is false', async () => {
    const feeds = [{ url: 'http://127.0.0.1:9/none.rss', title: 'None', tags: ['world'] }];
    let nm = await startTestApp({ feeds });
    try {
      const res = await nm.get('/websub', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': 'http://news.test/topics/world.rss', 'hub.callback': 'http://127.0.0.1:8080/cb' }).toString(),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/hub\.callback points to a loopback, private or link-local address/);
    } finally {
      await nm.close();
    }
    nm = await startTestApp({ feeds, config: { websub: { enabled: false } } });
    try {
      const feed = await nm.get('/topics/world.atom');
      expect(feed.headers.get('link')).toBeNull();
      expect(await feed.text()).not.toContain('rel="hub"');
      expect((await nm.get('/websub', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'hub.mode=subscribe' })).status).toBe(404);
    } finally {
      await nm.close();
    }
  });
});
