import { createHash } from 'node:crypto';
import type { AppConfig, FeedConfig } from '../config/config-schema.js';
import type { FeedState } from '../store/feed-states.js';
import { decodeBody } from './decode-body.js';
import { FeedFormatError, type ParsedFeed } from './entry.js';
import { chooseGuidMode } from '../cluster/entry-identity.js';
import type { FetchOutcome, Fetcher } from './fetch-feed.js';
import { parseFeed } from './parse-feed.js';
import { adaptiveInterval, backoffInterval, forbidsValidators, freshnessMs, nextInterval, retryAfterMs, SCHEDULE_RULES } from './schedule.js';

/** How one poll attempt of a feed ended. */
export type AttemptKind = 'fetched' | 'not-modified' | 'unchanged' | 'failed';

/** The result of the network and parse phase of one feed, before anything is written. */
export interface Attempt {
  kind: AttemptKind;
  feedUrl: string;
  status: number | null;
  error: string | null;
  /** Parsed feed, for kind "fetched". */
  parsed: ParsedFeed | null;
  outcome: FetchOutcome;
  startedAt: number;
  endedAt: number;
  bodyHash: string | null;
  fullFetch: boolean;
  /** Wall time of the HTTP exchange and of decoding + parsing, in milliseconds (monotonic clock). */
  fetchMs: number;
  parseMs: number;
  /** The body was pushed by the feed's WebSub hub, not fetched: the poll schedule and validators stay as they were. */
  pushed?: boolean;
}

/** What metrics need of an attempt (all that crosses from the ingest thread). */
export type AttemptFacts = Pick<Attempt, 'kind' | 'status' | 'fetchMs' | 'parseMs'>;

/** What the network phase needs. */
export interface FetchDeps {
  fetcher: Fetcher;
  now: () => number;
  userAgent: string;
  signal?: AbortSignal;
}

function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

/**
 * Fetches and parses one feed without touching the database: conditional GET with the stored validators
 * (dropped every 12 h for a full fetch), no parse when the server says 304 or the body hash is unchanged.
 * Never throws: every failure is an Attempt of kind "failed" with a reason.
 */
export async function fetchAttempt(feed: FeedConfig, state: FeedState, config: AppConfig, deps: FetchDeps): Promise<Attempt> {
  const startedAt = deps.now();
  const fetchStart = performance.now();
  const fullFetch = state.lastFullFetchAt === null || startedAt - state.lastFullFetchAt >= SCHEDULE_RULES.fullFetchEvery;
  const outcome = await deps.fetcher.fetch({
    url: feed.url,
    etag: fullFetch ? null : state.etag,
    lastModified: fullFetch ? null : state.lastModified,
    headers: feed.headers,
    userAgent: feed.userAgent ?? deps.userAgent,
    timeoutMs: config.fetchTimeout,
    maxBytes: config.maxFeedBytes,
    signal: deps.signal,
  });
  const base = { feedUrl: feed.url, outcome, startedAt, fullFetch, parsed: null, bodyHash: null, fetchMs: performance.now() - fetchStart, parseMs: 0 };
  const end = () => deps.now();
  switch (outcome.kind) {
    case 'failed':
      return { ...base, kind: 'failed', status: null, error: `${outcome.reason}: ${outcome.message}`, endedAt: end() };
    case 'http-error':
      return { ...base, kind: 'failed', status: outcome.status, error: httpErrorText(outcome.status), endedAt: end() };
    case 'not-modified':
      return { ...base, kind: 'not-modified', status: 304, error: null, endedAt: end() };
    case 'ok': {
      const bodyHash = sha256(outcome.body);
      if (bodyHash === state.bodyHash && state.lastSuccessAt !== null) {
        return { ...base, kind: 'unchanged', status: outcome.status, error: null, bodyHash, endedAt: end() };
      }
      const parseStart = performance.now();
      const parseMs = () => performance.now() - parseStart;
      try {
        const contentType = typeof outcome.headers['content-type'] === 'string' ? outcome.headers['content-type'] : undefined;
        const { text } = decodeBody(outcome.body, contentType);
        const parsed = await parseFeed(text, { feedUrl: outcome.finalUrl, fetchedAt: startedAt, maxItems: config.maxItemsPerFeed });
        return { ...base, kind: 'fetched', status: outcome.status, error: null, parsed, bodyHash, parseMs: parseMs(), endedAt: end() };
      } catch (err) {
        const reason = err instanceof FeedFormatError ? err.message : `parser failed: ${(err as Error).message}`;
        return { ...base, kind: 'failed', status: outcome.status, error: `parse: ${reason}`, bodyHash, parseMs: parseMs(), endedAt: end() };
      }
    }
  }
}

/**
 * Parses a document the feed's WebSub hub pushed, as fetchAttempt parses a fetched one (same decoding, same
 * parser, same limits), into an Attempt that nextFeedState applies without touching the poll schedule.
 */
export async function pushedAttempt(feed: FeedConfig, body: Buffer, contentType: string | undefined, config: AppConfig, now: () => number): Promise<Attempt> {
  const startedAt = now();
  const parseStart = performance.now();
  const outcome: FetchOutcome = { kind: 'ok', status: 200, finalUrl: feed.url, permanentRedirect: null, headers: contentType ? { 'content-type': contentType } : {}, body };
  const base = { feedUrl: feed.url, outcome, startedAt, fullFetch: false, bodyHash: sha256(body), fetchMs: 0, pushed: true };
  try {
    const { text } = decodeBody(body, contentType);
    const parsed = await parseFeed(text, { feedUrl: feed.url, fetchedAt: startedAt, maxItems: config.maxItemsPerFeed });
    return { ...base, kind: 'fetched', status: 200, error: null, parsed, parseMs: performance.now() - parseStart, endedAt: now() };
  } catch (err) {
    const reason = err instanceof FeedFormatError ? err.message : `parser failed: ${(err as Error).message}`;
    return { ...base, kind: 'failed', status: 200, error: `parse: ${reason}`, parsed: null, parseMs: performance.now() - parseStart, endedAt: now() };
  }
}

/** The warning a document cut at maxItemsPerFeed leaves on its feed, or null. */
function truncationWarning(parsed: ParsedFeed, config: AppConfig): string | null {
  return parsed.truncated > 0 ? `${parsed.truncated} items beyond the first ${config.maxItemsPerFeed} (maxItemsPerFeed) were dropped unread` : null;
}

/** What a parsed document says of its feed: its title, site, format, WebSub links, and how its items are identified. */
function documentFacts(parsed: ParsedFeed, state: FeedState): Pick<FeedState, 'feedTitle' | 'siteUrl' | 'format' | 'guidMode' | 'hubUrl' | 'selfUrl'> {
  return { feedTitle: parsed.title, siteUrl: parsed.siteUrl, format: parsed.format, guidMode: chooseGuidMode(parsed.entries, state.guidMode), hubUrl: parsed.hub, selfUrl: parsed.self };
}

/**
 * The state after a pushed document: what the document says of the feed, where it says it (a push may carry
 * only the new items, without the rest). The schedule, validators, body hash and error record belong to
 * polling: a push says nothing of how the feed URL answers.
 */
function afterPush(state: FeedState, attempt: Attempt, config: AppConfig): FeedState {
  const parsed = attempt.parsed;
  if (!parsed) return state;
  const facts = documentFacts(parsed, state);
  return {
    ...state,
    ...facts,
    feedTitle: facts.feedTitle ?? state.feedTitle,
    siteUrl: facts.siteUrl ?? state.siteUrl,
    hubUrl: facts.hubUrl ?? state.hubUrl,
    selfUrl: facts.selfUrl ?? state.selfUrl,
    lastWarning: truncationWarning(parsed, config) ?? state.lastWarning,
  };
}

function httpErrorText(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone',
    429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
  };
  return `HTTP ${status}${names[status] ? ` ${names[status]}` : ''}`;
}

/** What the poller knows besides the attempt. */
export interface ScheduleContext {
  /** A WebSub subscription to the feed's hub is live: pushes bring its items, so polling slows to maxInterval. */
  pushLive?: boolean;
}

/** The feed's polling state after an attempt: validators, errors, backoff, redirects, next fetch time. */
export function nextFeedState(state: FeedState, attempt: Attempt, feed: FeedConfig, config: AppConfig, random: number, context: ScheduleContext = {}): FeedState {
  if (attempt.pushed) return afterPush(state, attempt, config);
  const now = attempt.endedAt;
  const minInterval = feed.minInterval ?? config.minInterval;
  const maxInterval = feed.maxInterval ?? config.maxInterval;
  const next: FeedState = { ...state, lastFetchedAt: now, lastStatus: attempt.status, pushPolled: false };
  const outcome = attempt.outcome;
  if (outcome.kind !== 'failed') {
    next.permanentRedirect = outcome.permanentRedirect;
    next.redirectSince = outcome.permanentRedirect ? (state.permanentRedirect === outcome.permanentRedirect ? state.redirectSince : now) : null;
  }
  if (attempt.kind === 'failed') {
    next.lastError = attempt.error;
    next.errorCount = state.errorCount + 1;
    next.failingSince = state.failingSince ?? attempt.startedAt;
    const retryAfter = outcome.kind === 'http-error' ? retryAfterMs(outcome.headers, now) : null;
    next.nextFetchAt = now + backoffInterval(attempt.status, retryAfter, next.errorCount, minInterval, random);
    if (attempt.status === 410) next.disabledReason = `the server answered 410 Gone on ${new Date(now).toISOString()}: remove the feed or fix its URL`;
    else if (now - next.failingSince >= SCHEDULE_RULES.disableAfterFailingFor) {
      next.disabledReason = `failing for 30 days since ${new Date(next.failingSince).toISOString()} (last error: ${attempt.error})`;
    }
    return next;
  }
  next.lastError = null;
  next.errorCount = 0;
  next.failingSince = null;
  next.disabledReason = null;
  next.lastSuccessAt = now;
  if (outcome.kind === 'ok' || outcome.kind === 'not-modified') {
    const trustValidators = !forbidsValidators(outcome.headers);
    const etag = outcome.headers.etag;
    const lastModified = outcome.headers['last-modified'];
    if (outcome.kind === 'ok' || trustValidators) {
      next.etag = trustValidators && typeof etag === 'string' ? etag : outcome.kind === 'ok' ? null : state.etag;
      next.lastModified = trustValidators && typeof lastModified === 'string' ? lastModified : outcome.kind === 'ok' ? null : state.lastModified;
    }
    if (outcome.kind === 'ok') {
      next.bodyHash = attempt.bodyHash;
      if (attempt.fullFetch) next.lastFullFetchAt = attempt.startedAt;
    }
  }
  if (attempt.parsed) {
    next.lastWarning = truncationWarning(attempt.parsed, config);
    // Only a full document says the hub went away; a 304 or unchanged body keeps what was learnt.
    Object.assign(next, documentFacts(attempt.parsed, state));
    const published = attempt.parsed.entries.map((e) => e.published).filter((p): p is number => p !== null);
    next.intervalMs = adaptiveInterval(published, minInterval, maxInterval);
  }
  // A 304 or an unchanged body carries no item dates: the interval learnt from the last parse stands.
  const adaptive = Math.min(maxInterval, Math.max(minInterval, next.intervalMs ?? maxInterval));
  const hints = {
    ttlMinutes: attempt.parsed?.ttlMinutes ?? null,
    freshnessMs: outcome.kind === 'ok' || outcome.kind === 'not-modified' ? freshnessMs(outcome.headers, now) : null,
  };
  // While pushes bring the items, a poll is a safety net: as seldom as the feed allows (WebSub section 1).
  next.pushPolled = context.pushLive === true;
  next.nextFetchAt = now + nextInterval(context.pushLive ? maxInterval : adaptive, hints, random);
  return next;
}
