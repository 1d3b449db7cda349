import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import type { CorrectionOutcome, CorrectionRequest } from '../cluster/corrections.js';
import type { AppConfig } from '../config/config-schema.js';
import { emptyReport, type CycleOptions, type CycleReport, type PollObserver, type PushedOutcome } from './poller.js';
import type { FromThread, ThreadOptions, ToThread } from './poll-worker-protocol.js';

/** What the ingest thread needs, and how the main thread watches it. */
export interface PollWorkerOptions {
  dataDir: string;
  config: AppConfig;
  userAgent: string;
  logger: Logger;
  /** Fake clock of tests: its reading travels with every request. Absent: both threads read the real clock. */
  clock?: () => number;
  observer?: PollObserver;
  /** Called when the thread has registered the feeds of its current config (their ids can be read). */
  onConfigured?: () => void;
  /** Called before the answer to a poll that wrote something is handed out, so that whoever awaited it sees its writes. */
  onAnswer?: () => void;
  /**
   * Heap limit of the ingest thread in MB (default 512). A thread that outgrows it dies and is restarted with
   * twice the limit, while serving goes on: V8 grows a heap with no limit far beyond what it keeps alive.
   */
  maxHeapMb?: number;
}

/** The ingest thread's health, shown by /healthz and /api/feeds. */
export interface IngestStatus {
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  restarts: number;
  /** The ingest thread's heap limit now (raised after a crash for want of memory). */
  heapLimitMb: number;
  lastCrash: { at: string; error: string } | null;
}

/** A request the thread has not answered yet: answered with its reply, or with an interruption if the thread dies. */
interface Pending {
  poll: boolean;
  answer(value: unknown): void;
  interrupt(reason: string): void;
}

/** First delay before restarting a crashed thread; doubles (to a minute) while it keeps crashing. */
const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 60_000;
/** How long stop() lets the thread finish its current write before terminating it (main exits within 1.8 s). */
const STOP_TIMEOUT_MS = 1_000;
/**
 * The ingest thread's heap limit unless configured. A first poll of 1,000 feeds keeps about 150 MB alive; a
 * restart onto a window of 100,000 items needed more than 192 MB (its index is loaded at once).
 */
export const DEFAULT_INGEST_HEAP_MB = 512;
/** The heap limit is doubled after each crash for want of memory, up to this. */
const MAX_INGEST_HEAP_MB = 4_096;
/** A thread that ran this long before crashing starts again after the first delay, not a longer one. */
const HEALTHY_RUN_MS = 60_000;

/**
 * The poll pipeline on its own thread: the same poll() as the in-process Poller, answered by a worker that
 * holds its own database connection. A crashed worker is logged, shown in status(), and started again;
 * requests it held are answered with an interrupted report, never left hanging.
 */
export class PollWorker {
  private worker: Worker | null = null;
  private config: AppConfig;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private cycles = 0;
  private stopping: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelay = RESTART_DELAY_MS;
  private startedAt = 0;
  private crashError: Error | null = null;
  private readonly health: IngestStatus;

  constructor(private readonly options: PollWorkerOptions) {
    this.health = { state: 'starting', restarts: 0, heapLimitMb: options.maxHeapMb ?? DEFAULT_INGEST_HEAP_MB, lastCrash: null };
    this.config = options.config;
    this.spawn();
  }

  /** Cycles the thread has completed (readiness: at least one). */
  get completedCycles(): number {
    return this.cycles;
  }

  /** True while a poll is being worked on. */
  get busy(): boolean {
    for (const p of this.pending.values()) if (p.poll) return true;
    return false;
  }

  /** The thread's health for the API. */
  status(): IngestStatus {
    return { ...this.health, lastCrash: this.health.lastCrash && { ...this.health.lastCrash } };
  }

  /** Runs a cycle on the ingest thread (same joining rules as Poller.poll); never rejects. */
  poll(options: Omit<CycleOptions, 'onProgress'>): Promise<CycleReport> {
    return this.ask((id) => ({ type: 'poll', id, options: { mode: options.mode, url: options.url }, clock: this.clock() }), (reason) => this.interrupted(reason), true);
  }

  /** Applies a curator's correction on the ingest thread, where clustering runs; never rejects. */
  correct(request: CorrectionRequest): Promise<CorrectionOutcome> {
    return this.ask<CorrectionOutcome>((id) => ({ type: 'correct', id, request, clock: this.clock() }), (reason) => ({ status: 'interrupted', reason }));
  }

  /** Stores a document a feed's hub pushed, on the ingest thread (same parse → merge → store as a poll); never rejects. */
  storePushed(feedId: number, body: Buffer, contentType: string | null): Promise<PushedOutcome> {
    return this.ask<PushedOutcome>((id) => ({ type: 'pushed', id, feedId, body, contentType, clock: this.clock() }), (reason) => ({ status: 'ignored', reason }));
  }

  /** Sends a request and resolves with the thread's answer, or at once with `interrupted` when there is no thread to ask. */
  private ask<T>(message: (id: number) => ToThread, interrupted: (reason: string) => T, poll = false): Promise<T> {
    if (this.stopping || !this.worker) return Promise.resolve(interrupted(this.stopping ? 'newsmerge is stopping' : 'the ingest thread is restarting'));
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.pending.set(id, { poll, answer: (value) => resolve(value as T), interrupt: (reason) => resolve(interrupted(reason)) });
      this.send(message(id));
    });
  }

  private answer(id: number, value: unknown): void {
    this.pending.get(id)?.answer(value);
    this.pending.delete(id);
  }

  /** Hands a reloaded config to the thread, which registers its feeds (onConfigured) before its next request. */
  setConfig(config: AppConfig): void {
    this.config = config;
    this.send({ type: 'config', config, clock: this.clock() });
  }

  /** Stops the thread: fetches are aborted, finished ones written; terminated if it takes too long. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    this.health.state = 'stopped';
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.send({ type: 'stop', clock: this.clock() });
    const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), STOP_TIMEOUT_MS).unref());
    if ((await Promise.race([exited, deadline])) === 'late') {
      this.options.logger.warn('the ingest thread did not stop in time; terminated (its open transaction rolls back)');
      await worker.terminate();
    }
  }

  private clock(): number | null {
    return this.options.clock ? this.options.clock() : null;
  }

  private send(message: ToThread): void {
    this.worker?.postMessage(message);
  }

  private spawn(): void {
    const data: ThreadOptions = { dataDir: this.options.dataDir, config: this.config, userAgent: this.options.userAgent, logLevel: this.options.logger.level };
    const worker = startThread(data, { maxOldGenerationSizeMb: this.health.heapLimitMb, maxYoungGenerationSizeMb: 16 });
    this.worker = worker;
    this.startedAt = Date.now();
    this.crashError = null;
    worker.on('message', (message: FromThread) => {
      if (worker === this.worker) this.receive(message);
    });
    worker.on('error', (err) => (this.crashError = err));
    worker.on('exit', (code) => this.exited(worker, code));
    // A fake clock must reach the thread before its first request.
    if (this.options.clock) this.send({ type: 'config', config: this.config, clock: this.clock() });
  }

  private receive(message: FromThread): void {
    switch (message.type) {
      case 'ready':
        if (!this.stopping) this.health.state = 'running';
        break;
      case 'configured':
        this.options.onConfigured?.();
        break;
      case 'topics':
        // Like a poll that wrote: feeds rendered under the old topics are checked again on their next request.
        this.options.onAnswer?.();
        break;
      case 'log':
        forwardLog(this.options.logger, message.line);
        break;
      case 'attempt':
        this.options.observer?.attempt(message.attempt);
        break;
      case 'cycle':
        this.options.observer?.cycle(message.report);
        break;
      case 'polled':
        this.cycles = Math.max(this.cycles, message.completedCycles);
        if (wroteAnything(message.report)) this.options.onAnswer?.();
        this.answer(message.id, message.report);
        break;
      case 'corrected':
        if (message.outcome.status === 'applied') this.options.onAnswer?.();
        this.answer(message.id, message.outcome);
        break;
      case 'stored-push':
        if (message.outcome.status === 'stored' && message.outcome.newItems + message.outcome.updatedItems > 0) this.options.onAnswer?.();
        this.answer(message.id, message.outcome);
        break;
    }
  }

  private exited(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    this.worker = null;
    this.crashed(code);
  }

  /** Answers what the thread held, records the crash and schedules the restart (none while stopping). */
  private crashed(code: number): void {
    const reason = this.stopping ? 'newsmerge is stopping' : `the ingest thread crashed: ${this.crashError?.message ?? `exit code ${code}`}`;
    for (const p of this.pending.values()) p.interrupt(reason);
    this.pending.clear();
    if (this.stopping) return;
    // Shown on the public /healthz: the first line only, bounded, and no URL (feed URLs may hold credentials).
    const message = (this.crashError?.message ?? `exited with code ${code}`).split('\n')[0]!.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>').slice(0, 200);
    this.health.lastCrash = { at: new Date().toISOString(), error: message };
    this.health.state = 'restarting';
    this.health.restarts++;
    if ((this.crashError as NodeJS.ErrnoException | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY' && this.health.heapLimitMb < MAX_INGEST_HEAP_MB) {
      this.health.heapLimitMb = Math.min(MAX_INGEST_HEAP_MB, this.health.heapLimitMb * 2);
      this.options.logger.warn({ heapLimitMb: this.health.heapLimitMb }, 'the ingest thread ran out of memory; its heap limit is doubled (set NEWSMERGE_INGEST_MAX_HEAP_MB to start higher)');
    }
    if (Date.now() - this.startedAt >= HEALTHY_RUN_MS) this.restartDelay = RESTART_DELAY_MS;
    this.options.logger.error({ err: this.crashError, code, restartInMs: this.restartDelay }, 'the ingest thread crashed; serving goes on, it restarts');
    this.restartTimer = setTimeout(() => this.restart(), this.restartDelay);
    this.restartTimer.unref();
    this.restartDelay = Math.min(MAX_RESTART_DELAY_MS, this.restartDelay * 2);
  }

  /** Starts the thread again; a failure to start counts as another crash (logged, retried later). */
  private restart(): void {
    this.restartTimer = null;
    if (this.stopping) return;
    try {
      this.spawn();
    } catch (err) {
      this.worker = null;
      this.crashError = err as Error;
      this.crashed(-1);
    }
  }

  private interrupted(reason: string): CycleReport {
    return { ...emptyReport(this.clock() ?? Date.now()), interrupted: reason };
  }
}

/** True when a cycle stored or removed anything. */
function wroteAnything(report: CycleReport): boolean {
  return report.newItems + report.updatedItems + report.storiesMerged + report.prunedItems > 0;
}

/**
 * Starts the thread from the compiled file; from TypeScript sources (tests, `npm run demo`, benches) the
 * thread first registers tsx, since a worker does not inherit the loader of the thread that started it.
 */
function startThread(data: ThreadOptions, resourceLimits: ResourceLimits): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./poll-worker-thread.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: data, resourceLimits });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs'));
  const boot = `import(${JSON.stringify(tsx.href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data, resourceLimits });
}

/** Writes a log line of the thread through the main logger, keeping its level, message and fields. */
function forwardLog(logger: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return void logger.warn({ line }, 'unreadable log line from the ingest thread');
  }
  const { level, msg, time: _time, ...fields } = record;
  const label = pino.levels.labels[level as number] ?? 'info';
  (logger[label as 'info'] as (obj: object, msg?: string) => void).call(logger, { ...fields, thread: 'ingest' }, msg as string | undefined);
}
