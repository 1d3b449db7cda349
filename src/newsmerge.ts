import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { AppConfig } from './config/config-schema.js';
import type { Env } from './config/env.js';
import { loadConfigFile } from './config/load-config.js';
import { PollWorker } from './ingest/poll-worker.js';
import { registerFeeds } from './ingest/poller.js';
import { PushService } from './push/push-service.js';
import { createApp } from './serve/app.js';
import { createFeedDocuments } from './serve/feed-documents.js';
import { basePathRewriter } from './serve/base-path.js';
import { clientErrorHandler, MAX_HEADER_BYTES } from './serve/client-errors.js';
import { createFeedFastPath } from './serve/feed-fast-path.js';
import type { ServeContext } from './serve/serve-context.js';
import { FeedCache } from './serve/feed-cache.js';
import { TopicCatalog } from './serve/topic-catalog.js';
import { createMetrics } from './metrics.js';
import { DATABASE_FILE } from './store/open-database.js';
import { openStore, type Store } from './store/store.js';

/** What starting newsmerge needs; tests pass a fake clock and their own address policy. */
export interface StartOptions {
  env: Env;
  config: AppConfig;
  logger: Logger;
  version: string;
  now?: () => number;
  /** Start polling (first cycle now, then on the cron schedule). Tests drive polls themselves. */
  schedule?: boolean;
  /** Limits on slow clients; the defaults suit production, tests shorten them. */
  http?: Partial<HttpLimits>;
}

/** How long a client may take; a slow or stalled client is cut off instead of holding memory and sockets. */
export interface HttpLimits {
  /** Time to send all request headers (slowloris). */
  headersTimeoutMs: number;
  /** Time to send the whole request. */
  requestTimeoutMs: number;
  /** A socket with no traffic for this long is closed (including a client that stopped reading). */
  idleTimeoutMs: number;
  /** How often those limits are checked. */
  checkIntervalMs: number;
}

const HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 60_000, checkIntervalMs: 2_000 };

/** A running newsmerge: server, ingest thread, store (the server's read connection). */
export interface Newsmerge {
  port: number;
  store: Store;
  poller: PollWorker;
  /** The WebSub hub and story alerts (tests drive its deliveries with the fake clock). */
  push: PushService;
  /** Re-reads the config file; an invalid file is rejected (thrown) and the running config kept. */
  reload(): AppConfig;
  /** Stops scheduling, aborts fetches, closes the server and the database. */
  close(): Promise<void>;
}

/** The HTTP port cannot be had (in use, or privileged); the message says what to set instead. */
export class ListenError extends Error {
  constructor(cause: NodeJS.ErrnoException, port: number, host: string) {
    super(
      cause.code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use (another newsmerge, or another server): set PORT to a free port, e.g. PORT=${port + 1} npm start`
        : `no permission to listen on port ${port} on ${host}: set PORT to a port above 1023, e.g. PORT=3000 npm start`,
      { cause },
    );
    this.name = new.target.name;
  }
}

/** The User-Agent newsmerge sends, naming itself and its version. */
export function userAgentFor(version: string): string {
  return `newsmerge/${version} (self-hosted news aggregator; +https://www.npmjs.com/package/newsmerge)`;
}

/**
 * Opens the store, starts the ingest thread (which polls, merges and writes with its own connection) and the
 * HTTP server, then the schedule. Nothing of ingest runs on this thread: serving never waits on it.
 */
export async function startNewsmerge(options: StartOptions): Promise<Newsmerge> {
  const { env, logger, version } = options;
  const now = options.now ?? Date.now;
  let config = options.config;
  // Seeded from the config, not 1: after a restart with another config (a feed removed, retagged) the feeds'
  // validators differ, so no client keeps a copy that a 304 would wrongly confirm.
  let configVersion = Number.parseInt(createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12), 16);
  const store = openStore(env.dataDir);
  // Registered here before the ingest thread exists, so that topics resolve to feed ids from the first
  // request; after a reload the ingest thread registers them (a write here could wait for its lock).
  registerFeeds(store, config, now());
  // Rebuilt whenever the config changes; items of feeds no longer in it leave every page, feed and API answer
  // at once, and come back if the feed does (retention deletes them meanwhile).
  const catalogFor = (current: AppConfig) => {
    store.hideFeeds(store.feeds.removedFrom(current.feeds.map((f) => f.url)));
    return new TopicCatalog(current, store);
  };
  let catalog = catalogFor(config);
  const metrics = createMetrics(store, join(env.dataDir, DATABASE_FILE));
  const cache = new FeedCache();
  // Started once the serve context exists; ingest answers before that have nothing to push yet.
  let push: PushService | null = null;
  const poller = new PollWorker({
    dataDir: env.dataDir,
    config,
    userAgent: config.userAgent ?? userAgentFor(version),
    logger,
    clock: options.now,
    observer: metrics.poll,
    // Whoever awaited a poll (admin refresh, npm test) reads its result at once, not a rendering a second old.
    onAnswer: () => {
      store.expectExternalWrite();
      cache.expireAll();
      push?.changed();
    },
    maxHeapMb: env.ingestMaxHeapMb ?? undefined,
    // New feeds of a reloaded config have ids once the ingest thread registered them.
    onConfigured: () => {
      catalog = catalogFor(config);
      push?.changed();
    },
  });
  let task: ScheduledTask | null = null;
  const schedule = () => {
    void task?.destroy();
    task = cron.schedule(config.schedule, () => poller.poll({ mode: 'due' }), { noOverlap: true, name: 'poll' });
  };
  const reload = (): AppConfig => {
    const next = loadConfigFile(env.configPath);
    poller.setConfig(next);
    const scheduleChanged = next.schedule !== config.schedule;
    config = next;
    catalog = catalogFor(config);
    configVersion++;
    cache.clear();
    if (scheduleChanged && task) schedule();
    push?.changed();
    logger.info({ feeds: config.feeds.length, topics: catalog.topics.length }, 'config reloaded');
    return config;
  };
  const ctx: ServeContext = {
    store,
    config: () => config,
    catalog: () => catalog,
    configVersion: () => configVersion,
    baseUrl: env.baseUrl,
    cache,
    logger,
    version,
    pollStatus: () => ({ completedCycles: poller.completedCycles, busy: poller.busy, ingest: poller.status() }),
    startedAt: now(),
    adminToken: env.adminToken,
    admin: {
      pollAll: () => {
        const alreadyRunning = poller.busy;
        void poller.poll({ mode: 'all' });
        return { alreadyRunning };
      },
      refresh: async (url) => ({ interrupted: (await poller.poll({ mode: 'all', url })).interrupted }),
      reload,
      correct: (request) => poller.correct(request),
    },
    metrics,
  };
  push = new PushService({ dataDir: env.dataDir, config: () => config, baseUrl: env.baseUrl, documents: createFeedDocuments(ctx), now, logger, userAgent: config.userAgent ?? userAgentFor(version),
    feedStates: () => store.feeds.all(),
    storePushed: (feedId, body, contentType) => poller.storePushed(feedId, body, contentType),
  });
  ctx.push = push;
  const app = createApp(ctx);
  const fastPath = createFeedFastPath(ctx);
  const honoListener = getRequestListener(app.fetch);
  const stripBasePath = basePathRewriter(env.baseUrl);
  const limits = { ...HTTP_LIMITS, ...options.http };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
      keepAliveTimeout: 5_000,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    (req, res) => {
      if (stripBasePath && req.url) req.url = stripBasePath(req.url);
      if (!fastPath(req, res)) void honoListener(req, res);
    },
  );
  server.setTimeout(limits.idleTimeoutMs);
  server.on('clientError', clientErrorHandler(env.baseUrl));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new ListenError(err, env.port, env.host) : err));
      server.listen(env.port, env.host, () => resolve());
    });
  } catch (err) {
    // What already started (the ingest thread, push subscriptions) stops with the failed start.
    await Promise.all([poller.stop(), push.close()]);
    store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, baseUrl: env.baseUrl, feeds: config.feeds.length, dataDir: env.dataDir }, 'newsmerge listening');

  if (options.schedule ?? true) {
    void poller.poll({ mode: 'due' });
    schedule();
  }

  return {
    port,
    store,
    poller,
    push,
    reload,
    async close() {
      void task?.destroy();
      // No new request may reach the push store or the ingest thread once they are closing: the server stops
      // accepting first, while the ingest thread finishes its write.
      const serverClosed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 500).unref();
      });
      await Promise.all([serverClosed, poller.stop()]);
      await push?.close();
      store.close();
    },
  };
}
