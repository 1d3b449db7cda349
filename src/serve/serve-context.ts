import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CorrectionOutcome, CorrectionRequest } from '../cluster/corrections.js';
import type { AppConfig } from '../config/config-schema.js';
import type { IngestStatus } from '../ingest/poll-worker.js';
import type { PushService } from '../push/push-service.js';
import type { Store } from '../store/store.js';
import type { FeedCache } from './feed-cache.js';
import type { TopicCatalog } from './topic-catalog.js';

/** Poller facts the server shows (readiness, last cycle); the serve stage never drives polling itself. */
export interface PollStatus {
  completedCycles: number;
  busy: boolean;
  /** The ingest thread: running, or restarting after a crash (and which). */
  ingest: IngestStatus;
}

/** What the admin API can ask of the running instance. */
export interface AdminActions {
  /** Starts a cycle over every enabled feed; resolves when it has been started or queued. */
  pollAll(): { alreadyRunning: boolean };
  /** Polls one configured feed now and resolves when its result is stored; `interrupted` says why it was not. */
  refresh(url: string): Promise<{ interrupted: string | null }>;
  /** Re-reads the config file; throws ConfigError (and keeps the running config) when it is invalid. */
  reload(): AppConfig;
  /** Applies a curator's correction where clustering runs; resolves with how it ended. */
  correct(request: CorrectionRequest): Promise<CorrectionOutcome>;
}

/** Everything route handlers use, passed in by main (and by tests). */
export interface ServeContext {
  store: Store;
  config: () => AppConfig;
  /** Topics and feed ids of the current config; replaced on reload. */
  catalog: () => TopicCatalog;
  /** Increments on every config reload, so cached renders of the old config are never served. */
  configVersion: () => number;
  /** Absolute base URL ending in "/". */
  baseUrl: string;
  cache: FeedCache;
  logger: Logger;
  version: string;
  pollStatus: () => PollStatus;
  /** When the server started (ms), the Last-Modified of a feed with no stories yet. */
  startedAt: number;
  /** Admin bearer token; null disables the admin API (its routes answer 404). */
  adminToken: string | null;
  admin: AdminActions;
  /** The WebSub hub and story alerts; absent until started (and in contexts that push nothing). */
  push?: PushService;
  metrics: {
    registry: Registry;
    request(route: string, status: number, seconds: number): void;
    feedWork(kind: 'render' | 'compress', format: string): void;
  };
}
