import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './helpers/test-app.js';
import { polledTopicApp } from './helpers/topic-fixtures.js';

const SLOW_CLIENTS = 1_000;

describe('hostile HTTP clients', () => {
  let nm: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ nm, close } = await polledTopicApp({ http: { headersTimeoutMs: 1_500, requestTimeoutMs: 3_000, checkIntervalMs: 250, idleTimeoutMs: 3_000 } }));
  });

  afterAll(() => close());

  it(`keeps serving others while ${SLOW_CLIENTS} clients trickle their headers, then cuts them off`, async () => {
    const port = Number(new URL(nm.url('/')).port);
    const sockets: Socket[] = [];
    let closed = 0;
    const rssBefore = process.memoryUsage().rss;
    await Promise.all(
      Array.from({ length: SLOW_CLIENTS }, () => new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('GET /topics/world.rss HTTP/1.1\r\nHost: x\r\n');
          resolve();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => closed++);
        sockets.push(socket);
      })),
    );
    const drip = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write('X-Slow: 1\r\n');
    }, 200);
    try {
      const started = Date.now();
      const res = await nm.get('/topics/world.json');
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect((await nm.get('/healthz')).status).toBe(200);
      const until = Date.now() + 8_000;
      while (closed < SLOW_CLIENTS && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(closed).toBe(SLOW_CLIENTS);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
      expect((await nm.get('/topics/world.json')).status).toBe(200);
    } finally {
      clearInterval(drip);
      for (const s of sockets) s.destroy();
    }
  });

  it('answers oversized and malformed requests with a 4xx, never a crash', async () => {
    expect(await nm.raw(`GET /topics/world.rss?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    expect(await nm.raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect((await nm.get(`/topics/world.rss?q=${'a'.repeat(5_000)}`)).status).toBe(400);
    expect((await nm.get('/topics/world.rss?since=%ZZ')).status).toBeLessThan(500);
    expect((await nm.get('/stories/99999999999999999999999')).status).toBe(404);
    expect((await nm.get('/healthz')).status).toBe(200);
  });
});
