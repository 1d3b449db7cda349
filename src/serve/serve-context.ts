import type { Logger } from 'pino';
import type { AppConfig } from '../config/config-schema.js';
import type { Store } from '../store/store.js';
import type { FeedCache } from './feed-cache.js';
import type { TopicCatalog } from './topic-catalog.js';

/** Poller facts the server shows (readiness, last cycle); the serve stage never drives polling itself. */
export interface PollStatus {
  completedCycles: number;
  busy: boolean;
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
}
