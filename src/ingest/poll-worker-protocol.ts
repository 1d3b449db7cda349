import type { CorrectionOutcome, CorrectionRequest } from '../cluster/corrections.js';
import type { AppConfig } from '../config/config-schema.js';
import type { AttemptFacts } from './poll-feed.js';
import type { CycleOptions, CycleReport, PushedOutcome } from './poller.js';

/** What the ingest thread is started with (structured-cloned into it). */
export interface ThreadOptions {
  dataDir: string;
  config: AppConfig;
  userAgent: string;
  logLevel: string;
}

/** Messages from the main thread; `clock` is the main thread's fake time, null for the real clock. */
export type ToThread =
  | { type: 'poll'; id: number; options: Omit<CycleOptions, 'onProgress'>; clock: number | null }
  | { type: 'config'; config: AppConfig; clock: number | null }
  | { type: 'correct'; id: number; request: CorrectionRequest; clock: number | null }
  /** A document the feed's WebSub hub pushed (signature checked on the main thread): store it as if fetched. */
  | { type: 'pushed'; id: number; feedId: number; body: Uint8Array; contentType: string | null; clock: number | null }
  | { type: 'stop'; clock: number | null };

/** Messages from the ingest thread. */
export type FromThread =
  | { type: 'ready' }
  /** The thread registered the feeds of its current config (at start and after each config message). */
  | { type: 'configured' }
  /** Stored items' topics were recomputed for new topic rules (after a config message or at start). */
  | { type: 'topics'; items: number }
  | { type: 'log'; line: string }
  | { type: 'attempt'; attempt: AttemptFacts }
  | { type: 'cycle'; report: CycleReport }
  | { type: 'polled'; id: number; report: CycleReport; completedCycles: number }
  | { type: 'corrected'; id: number; outcome: CorrectionOutcome }
  | { type: 'stored-push'; id: number; outcome: PushedOutcome };
