import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { createHostResolver } from '../src/ingest/dns-lookup.js';

describe('resolving feed hosts', () => {
  it('takes IP literals and localhost without asking DNS', async () => {
    const resolve = createHostResolver({ servers: ['127.0.0.1:9'] });
    expect(await resolve('192.0.2.7')).toEqual([{ address: '192.0.2.7', family: 4 }]);
    expect(await resolve('[::1]')).toEqual([{ address: '::1', family: 6 }]);
    expect((await resolve('localhost')).map((a) => a.address)).toContain('127.0.0.1');
  });

  it('gives up on a silent DNS server as soon as the fetch is aborted, so shutdown never waits for it', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const queries: number[] = [];
    silent.on('message', () => queries.push(Date.now()));
    try {
      const resolve = createHostResolver({ servers: [`127.0.0.1:${silent.address().port}`], timeoutMs: 5_000 });
      const controller = new AbortController();
      const started = Date.now();
      const pending = resolve('news.example.org', controller.signal);
      setTimeout(() => controller.abort(), 150);
      await expect(pending).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(queries.length).toBeGreaterThan(0);
    } finally {
      silent.close();
    }
  });
});
