import { createHmac } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../src/config/load-config.js';
import { PushStore } from '../src/store/push-store.js';
import { itemSeries, rssFeed, type TestItem } from './helpers/feed-builder.js';
import { FixtureServer, readBody } from './helpers/fixture-server.js';
import { startTestApp, tempDir, type TestApp } from './helpers/test-app.js';
import { freePort, until } from './helpers/waiting.js';

const TOKEN = 'alerts-admin-token-0123456789';
const T0 = Date.parse('2022-02-17T12:00:00Z');

/** A webhook receiver recording every POST by path. */
class Receiver extends FixtureServer {
  readonly hits: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];

  protected override unrouted(req: IncomingMessage, res: ServerResponse): void {
    void readBody(req).then(async (body) => {
      this.hits.push({ path: req.url ?? '/', headers: req.headers, body: body.toString() });
      await this.held;
      res.writeHead(200).end('ok');
    });
  }

  at(path: string) {
    return this.hits.filter((h) => h.path === path);
  }
}

describe('story alerts', () => {
  let outlets: FixtureServer;
  let receiver: Receiver;
  let nm: TestApp;
  const dataDir = tempDir();
  const items: Record<string, TestItem[]> = {};

  const serve = () => {
    for (const [name, list] of Object.entries(items)) outlets.routes.set(`/${name}.rss`, { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(list, { title: name }) });
  };
  const report = (outlet: string, title: string, link: string, at: number) => {
    items[outlet] = [{ title, link, guid: `${outlet}-${link}`, date: at }, ...items[outlet]!];
    serve();
  };
  const alerts = () => [
    { url: receiver.url('/json'), topics: ['world'], min_sources: 2, format: 'json', secret: 'hook-secret' },
    { url: receiver.url('/slack'), min_sources: 2, format: 'slack' },
    { url: receiver.url('/discord'), topics: ['world'], min_sources: 2, format: 'discord' },
    { url: receiver.url('/ntfy'), topics: ['world'], min_sources: 2, format: 'ntfy' },
    { url: receiver.url('/left'), topics: ['world'], lean: ['left'], min_sources: 2, format: 'json' },
    { url: `http://127.0.0.1:${deadPort}/dead`, topics: ['world'], min_sources: 3, format: 'json' },
  ];
  let deadPort = 9;
  const start = async () => {
    nm = await startTestApp({
      dataDir,
      now: nm ? nm.clock.now : T0,
      env: { NEWSMERGE_ADMIN_TOKEN: TOKEN },
      feeds: [
        { url: outlets.url('/wire.rss'), title: 'Wire', tags: ['world'] },
        { url: outlets.url('/daily.rss'), title: 'Daily', tags: ['world'] },
        { url: outlets.url('/herald.rss'), title: 'Herald', tags: ['world'] },
      ],
      config: { outlets: { Herald: { lean: 'left' }, Wire: { lean: 'center' } }, alerts: alerts() },
    });
  };
  const settle = () => nm.app.push.idle();
  const poll = async () => {
    nm.clock.now += 60_000;
    await nm.pollAll();
    await settle();
  };

  beforeAll(async () => {
    outlets = await new FixtureServer().start();
    receiver = await new Receiver().start();
    deadPort = await freePort();
    items.wire = itemSeries('wire', 2, T0 - 7_200_000, 600_000);
    items.daily = itemSeries('daily', 2, T0 - 7_200_000, 600_000);
    items.herald = itemSeries('herald', 1, T0 - 7_200_000, 600_000);
    serve();
    await start();
  });

  afterAll(async () => {
    await nm.close();
    await outlets.close();
    await receiver.close();
  });

  it('validates alerts like the rest of the config, naming the JSON path', () => {
    const base = { schedule: '*/5 * * * *', topics: { world: { title: 'World' } }, feeds: [] };
    const bad = (alert: unknown) => () => parseConfigText(JSON.stringify({ ...base, alerts: [alert] }), 'test');
    expect(bad({ url: 'https://hooks.example/x', format: 'email' })).toThrow(/alerts\[0\]\.format: must be one of json, slack, ntfy, discord/);
    expect(bad({ url: 'https://hooks.example/x', format: 'json', topics: ['sport'] })).toThrow(/alerts\[0\]\.topics\[0\]: unknown topic "sport"/);
    expect(bad({ url: 'https://hooks.example/x', format: 'json', lean: ['far-left'] })).toThrow(/alerts\[0\]\.lean\[0\]: must be one of left, lean-left, center, lean-right, right/);
    expect(bad({ url: 'mailto:x@example.com', format: 'json' })).toThrow(/alerts\[0\]\.url: must be an absolute http/);
    expect(bad({ url: 'https://hooks.example/x', format: 'json', min_sources: 0 })).toThrow(/alerts\[0\]\.min_sources/);
    expect(bad({ url: 'https://hooks.example/x', format: 'json', when: 'now' })).toThrow(/alerts\[0\]/);
    expect(() => parseConfigText(JSON.stringify({ ...base, websub: { concurrency: 0 } }), 'test')).toThrow(/websub\.concurrency/);
  });

  it('fires once when a story reaches min_sources, in each format, signed when a secret is set', async () => {
    await poll();
    expect(receiver.hits).toHaveLength(0);
    report('wire', 'Parliament passes the budget after a long night', 'https://shared.example/budget', T0 - 60_000);
    await poll();
    expect(receiver.hits).toHaveLength(0);
    report('daily', 'Budget passed by parliament overnight', 'https://shared.example/budget', T0);
    await poll();

    const [json] = receiver.at('/json');
    expect(receiver.at('/json')).toHaveLength(1);
    expect(json!.headers['content-type']).toBe('application/json');
    expect(json!.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', 'hook-secret').update(json!.body).digest('hex')}`);
    const payload = JSON.parse(json!.body);
    expect(payload).toEqual(
      expect.objectContaining({
        type: 'newsmerge.story_alert',
        alert: { topics: ['world'], min_sources: 2, q: null, lean: null },
        story: expect.objectContaining({ title: expect.stringMatching(/budget/i), url: expect.stringMatching(/^http:\/\/news\.test\/stories\/\d+$/), source_count: 2 }),
      }),
    );
    expect(payload.story.outlets.map((o: { name: string }) => o.name).sort()).toEqual(['Daily', 'Wire']);
    expect(payload.story.coverage.lean.center).toBe(1);

    const slack = JSON.parse(receiver.at('/slack')[0]!.body);
    expect(slack.text).toMatch(/^\*<http:\/\/news\.test\/stories\/\d+\|.*[Bb]udget.*>\*\nCovered by 2 outlets: (Wire, Daily|Daily, Wire)/);
    const discord = JSON.parse(receiver.at('/discord')[0]!.body);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.content).toContain('Covered by 2 outlets');
    const ntfy = receiver.at('/ntfy')[0]!;
    expect(ntfy.headers.title).toMatch(/budget/i);
    expect(ntfy.headers.click).toMatch(/^http:\/\/news\.test\/stories\/\d+$/);
    expect(ntfy.body).toMatch(/^Covered by 2 outlets/);
    // No left-leaning outlet covers it yet.
    expect(receiver.at('/left')).toHaveLength(0);

    // A third outlet joining (a left one): the min_sources alerts stay quiet, the lean alert fires now.
    report('herald', 'Budget finally passes', 'https://shared.example/budget', T0 + 30_000);
    await poll();
    expect(receiver.at('/json')).toHaveLength(1);
    expect(receiver.at('/slack')).toHaveLength(1);
    expect(receiver.at('/left')).toHaveLength(1);
    expect(JSON.parse(receiver.at('/left')[0]!.body).story.source_count).toBe(3);
  });

  it('never fires twice for a story across restarts, and fires for the next story', async () => {
    await nm.close({ keepData: true });
    await start();
    await settle();
    await poll();
    expect(receiver.at('/json')).toHaveLength(1);
    report('wire', 'Storm closes every harbour on the coast', 'https://shared.example/storm', T0 + 200_000);
    report('herald', 'Harbours shut as storm arrives', 'https://shared.example/storm', T0 + 210_000);
    await poll();
    const json = receiver.at('/json');
    expect(json).toHaveLength(2);
    expect(JSON.parse(json[1]!.body).story.title).toMatch(/storm|harbour/i);
    expect(new Set(json.map((h) => JSON.parse(h.body).story.id)).size).toBe(2);
    await poll();
    expect(receiver.at('/json')).toHaveLength(2);
  });

  it('a dead webhook is retried, then given up after 24 h; /api/alerts shows the deliveries', async () => {
    const api = async () => (await nm.get('/api/alerts', { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<any>;
    let body = await api();
    const dead = () => body.deliveries.filter((d: { url: string }) => d.url.endsWith('/dead'));
    // Fired when the third outlet joined; the polls since moved the clock, so it has been tried a few times.
    expect(dead()).toEqual([expect.objectContaining({ state: 'pending', lastError: expect.stringMatching(/ECONNREFUSED/) })]);
    const tried = dead()[0].attempts as number;
    expect(tried).toBeGreaterThanOrEqual(1);
    nm.clock.now = Date.parse(dead()[0].nextAttemptAt) - 1_000;
    await nm.app.push.deliverDue();
    body = await api();
    expect(dead()[0].attempts).toBe(tried);
    nm.clock.now += 1_000;
    await nm.app.push.deliverDue();
    body = await api();
    expect(dead()[0].attempts).toBe(tried + 1);
    nm.clock.now += 24 * 3_600_000;
    await nm.app.push.deliverDue();
    body = await api();
    expect(dead()).toEqual([expect.objectContaining({ state: 'failed', attempts: tried + 2 })]);
    expect(body.deliveries.filter((d: { state: string }) => d.state === 'delivered').length).toBeGreaterThanOrEqual(6);
    expect(body.alerts).toHaveLength(6);
    expect(body.alerts[0]).toEqual(expect.objectContaining({ format: 'json', signed: true, min_sources: 2 }));
    expect((await nm.get('/api/alerts')).status).toBe(401);
  });

  it('an alert added to a running server does not fire for stories that matched already', async () => {
    const config = JSON.parse(readFileSync(nm.configPath, 'utf8'));
    config.alerts.push({ url: receiver.url('/late'), topics: ['world'], min_sources: 2, format: 'json' });
    writeFileSync(nm.configPath, JSON.stringify(config));
    nm.app.reload();
    await settle();
    expect(receiver.at('/late')).toHaveLength(0);
    report('daily', 'Rail strike called off at the last minute', 'https://shared.example/rail', T0 + 25 * 3_600_000);
    report('wire', 'Rail strike cancelled', 'https://shared.example/rail', T0 + 25 * 3_600_000);
    await poll();
    expect(receiver.at('/late')).toHaveLength(1);
    expect(JSON.parse(receiver.at('/late')[0]!.body).story.title).toMatch(/rail/i);
  });

  it('a delivery whose outcome cannot be written (busy database) is not sent again; the write lands later', async () => {
    const sent = receiver.at('/json').length;
    const release = receiver.holdAnswers();
    const lock = new Database(join(dataDir, 'newsmerge.db'));
    try {
      report('daily', 'Bridge reopens after repairs', 'https://shared.example/bridge', nm.clock.now);
      report('wire', 'Bridge open again', 'https://shared.example/bridge', nm.clock.now);
      nm.clock.now += 60_000;
      await nm.pollAll();
      await until(() => receiver.at('/json').length === sent + 1, 'the alert to be sent');
      await new Promise((r) => setTimeout(r, 100));
      // The ingest-side writer holds the lock when the webhook answers: recording the success fails (busy).
      lock.exec('BEGIN IMMEDIATE');
      release();
      await new Promise((r) => setTimeout(r, 600));
      expect(receiver.at('/json')).toHaveLength(sent + 1);
    } finally {
      release();
      if (lock.inTransaction) lock.exec('COMMIT');
      lock.close();
    }
    await settle();
    expect(receiver.at('/json')).toHaveLength(sent + 1);
    const api = (await (await nm.get('/api/alerts', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as any;
    const bridge = api.deliveries.filter((d: { url: string }) => d.url.endsWith('/json'))[0];
    expect(bridge).toEqual(expect.objectContaining({ state: 'delivered', attempts: 1 }));
  });
});

describe('alert bookkeeping', () => {
  it('forgets fired stories only when the story is gone, and alerts no longer configured', () => {
    const dir = tempDir();
    const store = new PushStore(dir);
    try {
      store.db.prepare(`INSERT INTO stories (id, first_published_at, last_published_at, created_at, changed_at) VALUES (1, 0, 0, 0, 0)`).run();
      store.fireAlert('kept', T0, [{ storyId: 1, delivery: null }, { storyId: 2, delivery: null }]);
      store.fireAlert('removed', T0, [{ storyId: 1, delivery: null }]);
      // Long after retention: a story still stored keeps its row.
      store.prune(T0 + 365 * 86_400_000);
      expect([...store.firedStories('kept', [1, 2])]).toEqual([1]);
      store.forgetAlertsExcept(['kept']);
      expect(store.alertSeen('kept')).toBe(true);
      expect(store.alertSeen('removed')).toBe(false);
      expect([...store.firedStories('removed', [1])]).toEqual([]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
