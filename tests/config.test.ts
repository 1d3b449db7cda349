import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/config/env.js';
import { ConfigError, loadConfigFile, parseConfigText } from '../src/config/load-config.js';
import { tempDir } from './helpers/test-app.js';

const VALID = {
  schedule: '*/5 * * * *',
  topics: { world: { title: 'World', description: 'World news' } },
  feeds: [{ url: 'https://outlet.example/rss', title: 'Outlet', tags: ['world'] }],
};

function errorOf(config: unknown): string {
  try {
    parseConfigText(JSON.stringify(config), '/etc/newsmerge/feeds.config.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('feeds.config.json', () => {
  it('fills defaults and parses durations', () => {
    const config = parseConfigText(JSON.stringify({ ...VALID, minInterval: '5m', maxInterval: '2h30m' }), 'x');
    expect(config).toMatchObject({ title: 'newsmerge', retentionDays: 90, keepPerFeed: 50, concurrency: 8, perHostConcurrency: 2, fetchTimeout: 20_000, maxFeedBytes: 10 * 1024 * 1024, cacheMaxAge: 300 });
    expect(config.minInterval).toBe(5 * 60_000);
    expect(config.maxInterval).toBe(2.5 * 3_600_000);
    expect(config.feeds[0]).toMatchObject({ enabled: true, headers: {} });
    expect(config.dedup.window).toBe(72 * 3_600_000);
  });

  it.each([
    [{ ...VALID, feeds: [{ ...VALID.feeds[0], url: 'ftp://outlet.example/rss' }] }, 'feeds[0].url: must be an absolute http:// or https:// URL'],
    [{ ...VALID, feeds: [{ ...VALID.feeds[0], tags: ['wrld'] }] }, 'feeds[0].tags[0]: unknown topic "wrld": define it under "topics"'],
    [{ ...VALID, feeds: [VALID.feeds[0], VALID.feeds[0]] }, 'feeds[1].url: duplicates feeds[0].url'],
    [{ ...VALID, schedule: 'every 5 minutes' }, 'schedule: is not a valid cron expression'],
    [{ ...VALID, topics: { 'World News': { title: 'x' } } }, 'topics["World News"]: invalid key: a tag is 1-40 lowercase letters'],
    [{ ...VALID, feeds: [{ ...VALID.feeds[0], title: '' }] }, 'feeds[0].title: must not be empty'],
    [{ ...VALID, feeds: [{ ...VALID.feeds[0], tag: ['world'] }] }, 'feeds[0]: Unrecognized key: "tag"'],
    [{ ...VALID, minInterval: 'soon' }, 'minInterval: "soon" is not a duration'],
    [{ ...VALID, feeds: [{ ...VALID.feeds[0], headers: { Cookie: 'a\r\nX-Evil: 1' } }] }, 'feeds[0].headers.Cookie: header values cannot contain line breaks'],
  ])('rejects a bad field with its JSON path and why (%#)', (config, expected) => {
    const message = errorOf(config);
    expect(message).toContain('/etc/newsmerge/feeds.config.json');
    expect(message).toContain(expected);
  });

  it('flags feed URLs that differ only in scheme/host case, a default port or a fragment as duplicates', () => {
    const feed = (url: string) => ({ url, title: url, tags: ['world'] });
    const message = errorOf({ ...VALID, feeds: [feed('http://127.0.0.1:8765/a.xml'), feed('HTTP://127.0.0.1:8765/a.xml#x')] });
    expect(message).toContain('feeds[1].url: duplicates feeds[0].url (both are http://127.0.0.1:8765/a.xml once normalized)');
    expect(errorOf({ ...VALID, feeds: [feed('https://News.Example:443/Feed?a=1'), feed('https://news.example/Feed?a=1')] })).toContain('feeds[1].url: duplicates feeds[0].url');
    // The path and query are the server's to interpret: different case there is a different feed.
    const distinct = parseConfigText(JSON.stringify({ ...VALID, feeds: [feed('https://news.example/Feed'), feed('https://news.example/feed'), feed('https://news.example/feed?x=1')] }), 'x');
    expect(distinct.feeds).toHaveLength(3);
  });

  it('names the file, line and column of a JSON syntax error', () => {
    const dir = tempDir();
    const file = join(dir, 'feeds.config.json');
    writeFileSync(file, '{\n  "schedule": "*/5 * * * *",\n  "topics": {,\n}');
    expect(() => loadConfigFile(file)).toThrow(new RegExp(`Invalid JSON in config file ${file}: .*line 3`));
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(/Cannot read config file .*missing\.json/);
  });

  it('ships a valid config with at least 12 outlets from several countries, every tag a topic', () => {
    const config = loadConfigFile(join(import.meta.dirname, '../feeds.config.json'));
    const outlets = new Set(config.feeds.map((f) => f.outlet ?? f.title));
    expect(outlets.size).toBeGreaterThanOrEqual(12);
    for (const tag of ['world', 'politics', 'business', 'technology', 'science']) {
      expect(config.topics[tag]?.title).toBeTruthy();
      expect(config.feeds.some((f) => f.tags.includes(tag))).toBe(true);
    }
  });
});

describe('environment', () => {
  it('has defaults and derives the base URL from the port', () => {
    const env = loadEnv({ PORT: '8080' });
    expect(env).toMatchObject({ port: 8080, baseUrl: 'http://localhost:8080/', logLevel: 'info', adminToken: null });
    expect(env.dataDir).toMatch(/data$/);
    expect(loadEnv({ NEWSMERGE_BASE_URL: 'https://example.org/news' }).baseUrl).toBe('https://example.org/news/');
  });

  it('names the bad variable', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadEnv({ NEWSMERGE_BASE_URL: 'news.example.org' })).toThrow(/NEWSMERGE_BASE_URL/);
  });
});
