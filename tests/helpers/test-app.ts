import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadEnv } from '../../src/config/env.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { startNewsmerge, type Newsmerge, type StartOptions } from '../../src/newsmerge.js';

/** A feed entry for a test config. */
export interface TestFeed {
  url: string;
  title: string;
  tags: string[];
  outlet?: string;
  [key: string]: unknown;
}

/** Options of a test instance. */
export interface TestAppOptions {
  feeds: TestFeed[];
  topics?: Record<string, { title: string; description?: string }>;
  config?: Record<string, unknown>;
  dataDir?: string;
  baseUrl?: string;
  /** Start time of the fake clock. */
  now?: number;
  env?: Record<string, string>;
  http?: StartOptions['http'];
  /** Receives the JSON log lines (level info and up); silent when absent. */
  log?: string[];
}

/** A newsmerge running in this process on an ephemeral port, with a fake clock and a temp data dir. */
export interface TestApp {
  app: Newsmerge;
  url: (path: string) => string;
  dataDir: string;
  configPath: string;
  clock: { now: number };
  get: (path: string, init?: RequestInit) => Promise<Response>;
  json: <T = any>(path: string) => Promise<T>;
  /** Sends these bytes as they are over one connection and resolves with everything the server answered. */
  raw: (request: string) => Promise<string>;
  pollAll: () => ReturnType<Newsmerge['poller']['poll']>;
  close: (options?: { keepData?: boolean }) => Promise<void>;
}

/** The topics most tests use. */
export const DEFAULT_TOPICS = {
  world: { title: 'World', description: 'World news' },
  politics: { title: 'Politics', description: 'Politics' },
  science: { title: 'Science', description: 'Science' },
};

/** Creates a temp directory for one test's data. */
export function tempDir(prefix = 'newsmerge-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a config file for `feeds` and returns its path. */
export function writeConfig(dir: string, options: Pick<TestAppOptions, 'feeds' | 'topics' | 'config'>): string {
  const path = join(dir, 'feeds.config.json');
  writeFileSync(path, JSON.stringify({ schedule: '*/5 * * * *', topics: options.topics ?? DEFAULT_TOPICS, feeds: options.feeds, ...options.config }, null, 2));
  return path;
}

/** Starts the real server and poller (no cron: the test polls) against a temp data directory. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const dataDir = options.dataDir ?? tempDir();
  const configDir = tempDir('newsmerge-config-');
  const configPath = writeConfig(configDir, options);
  const env = loadEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    NEWSMERGE_DATA: dataDir,
    NEWSMERGE_CONFIG: configPath,
    NEWSMERGE_BASE_URL: options.baseUrl ?? 'http://news.test/',
    ...options.env,
  });
  const clock = { now: options.now ?? Date.parse('2022-02-17T12:00:00Z') };
  const app = await startNewsmerge({
    env,
    config: loadConfigFile(configPath),
    logger: options.log ? pino({ level: 'info' }, { write: (line: string) => void options.log!.push(line) }) : pino({ level: 'silent' }),
    version: 'test',
    now: () => clock.now,
    schedule: false,
    http: options.http,
  });
  const url = (path: string) => `http://127.0.0.1:${app.port}${path}`;
  return {
    app,
    url,
    dataDir,
    configPath,
    clock,
    get: (path, init) => fetch(url(path), init),
    json: async <T>(path: string) => (await (await fetch(url(path))).json()) as T,
    raw: (request) =>
      new Promise<string>((resolve) => {
        const socket = connect(app.port, '127.0.0.1', () => socket.end(request));
        let out = '';
        socket.on('data', (d) => (out += d));
        socket.on('close', () => resolve(out));
        socket.on('error', () => resolve(out));
      }),
    pollAll: () => app.poller.poll({ mode: 'all' }),
    close: async ({ keepData = false } = {}) => {
      await app.close();
      rmSync(configDir, { recursive: true, force: true });
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
