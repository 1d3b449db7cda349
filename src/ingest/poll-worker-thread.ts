/**
 * The ingest thread: runs the whole poll pipeline (fetch, parse, cluster, write, retention, periodic merge)
 * with a database connection of its own, so that the thread answering HTTP never waits on it. It does only
 * what the main thread asks (see PollWorker); the schedule stays on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { ClusterEngine } from '../cluster/cluster-engine.js';
import { tryCorrection, type CorrectionOutcome, type CorrectionRequest } from '../cluster/corrections.js';
import { openStore } from '../store/store.js';
import { createFetcher } from './fetch-feed.js';
import { Poller, registerFeeds } from './poller.js';
import type { ThreadOptions, ToThread, FromThread } from './poll-worker-protocol.js';

const port = parentPort!;
const options = workerData as ThreadOptions;
const send = (message: FromThread) => port.postMessage(message);

// A fake clock (tests) arrives with each request; otherwise the thread reads the real one.
let clock: number | null = null;
const now = () => clock ?? Date.now();
let config = options.config;

// Log lines go to the main thread, which writes them through its own logger (one stream, one format).
const logger = pino({ level: options.logLevel, base: undefined }, { write: (line: string) => send({ type: 'log', line }) });

const store = openStore(options.dataDir);
// The index keeps the window of the config it started with; a new dedup.window takes a restart.
const engine = new ClusterEngine(store, config.dedup.window);
const fetcher = createFetcher();
const poller = new Poller({
  engine,
  fetcher,
  config: () => config,
  logger,
  now,
  userAgent: options.userAgent,
  observer: {
    attempt: ({ kind, status, fetchMs, parseMs }) => send({ type: 'attempt', attempt: { kind, status, fetchMs, parseMs } }),
    cycle: (report) => send({ type: 'cycle', report }),
  },
});

port.on('message', (message: ToThread) => {
  if (message.clock !== null) clock = message.clock;
  switch (message.type) {
    case 'poll':
      void poller.poll(message.options).then((report) => send({ type: 'polled', id: message.id, report, completedCycles: poller.completedCycles }));
      break;
    case 'config':
      config = message.config;
      register();
      break;
    case 'correct':
      send({ type: 'corrected', id: message.id, outcome: correct(message.request) });
      break;
    case 'pushed': {
      const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength);
      void poller
        .storePushed(message.feedId, body, message.contentType ?? undefined)
        .catch((err: unknown) => {
          logger.error({ err }, 'cannot store a pushed document');
          return { status: 'ignored' as const, reason: 'the write path failed; see the log' };
        })
        .then((outcome) => send({ type: 'stored-push', id: message.id, outcome }));
      break;
    }
    case 'stop':
      void poller.stop().then(() => {
        fetcher.close();
        store.close();
        // With its port closed and nothing else open, the thread exits: the main thread waits for that.
        port.close();
      });
      break;
  }
});

/**
 * Registers the config's feeds here, where writes belong: the serving thread would wait for this thread's
 * write lock. A failure is logged; each cycle registers them again before it selects.
 */
function register(): void {
  try {
    registerFeeds(store, config, now());
    send({ type: 'configured' });
    // New topic rules apply to what is stored, in the background: requests are served meanwhile.
    void poller.refreshTopics().then((count) => {
      if (count > 0) send({ type: 'topics', items: count });
    });
  } catch (err) {
    logger.error({ err }, 'cannot register the feeds of the config (database write failed); the next cycle tries again');
  }
}

/** Applies a curator's correction here, where the clustering index lives; logged either way. */
function correct(request: CorrectionRequest): CorrectionOutcome {
  try {
    const outcome = tryCorrection(engine, request, now());
    if (outcome.status === 'applied') logger.info({ correction: request, ...outcome.result }, 'story corrected by a curator');
    else if (outcome.status === 'rejected') logger.info({ correction: request, reason: outcome.message }, 'story correction rejected');
    return outcome;
  } catch (err) {
    logger.error({ err, correction: request }, 'story correction failed (database write failed)');
    return { status: 'interrupted', reason: 'the database write failed; see the log' };
  }
}

register();
send({ type: 'ready' });
