import type { IncomingHttpHeaders } from 'node:http';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Polling rules a careful operator would pick; documented in the README. */
export const SCHEDULE_RULES = {
  /** Validators are dropped this long after the last full fetch, in case a server's ETag is stuck. */
  fullFetchEvery: 12 * HOUR,
  /** Publisher hints (ttl, max-age, Expires) may lengthen the interval up to this, never beyond. */
  maxHint: 24 * HOUR,
  jitter: 0.25,
  errorBackoffStep: HOUR,
  errorBackoffMax: 4 * HOUR,
  retryAfterMax: 8 * HOUR,
  retryAfterDefaultMin: HOUR,
  retryAfterDefaultMax: 2 * HOUR,
  disableAfterFailingFor: 30 * 24 * HOUR,
  /** Recent item dates used to estimate how often a feed publishes. */
  rateSample: 20,
};

/** Parses Retry-After (seconds or an HTTP date) into a delay from `now`, or null. */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number): number | null {
  const value = headers['retry-after'];
  if (typeof value !== 'string' || !value.trim()) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** The freshness lifetime a response declares (Cache-Control max-age, else Expires), or null. */
export function freshnessMs(headers: IncomingHttpHeaders, now: number): number | null {
  const cacheControl = String(headers['cache-control'] ?? '');
  const maxAge = /(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*"?(\d+)/i.exec(cacheControl);
  if (maxAge) return Number(maxAge[1]) * 1000;
  const expires = headers.expires;
  if (typeof expires === 'string') {
    const at = Date.parse(expires);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  return null;
}

/** True when the response says not to trust validators (Expires: 0 or a date in the past at send time). */
export function forbidsValidators(headers: IncomingHttpHeaders): boolean {
  const expires = headers.expires;
  return typeof expires === 'string' && (expires.trim() === '0' || expires.trim() === '-1');
}

/**
 * How often a feed publishes, as a polling interval: half the average gap between its recent items,
 * clamped to [min, max]. With fewer than two dated items, the maximum.
 */
export function adaptiveInterval(published: readonly number[], minInterval: number, maxInterval: number): number {
  const recent = [...published].sort((a, b) => b - a).slice(0, SCHEDULE_RULES.rateSample);
  let interval = maxInterval;
  if (recent.length >= 2) interval = (recent[0]! - recent[recent.length - 1]!) / (recent.length - 1) / 2;
  return Math.round(Math.min(maxInterval, Math.max(minInterval, interval)));
}

/** Publisher hints that may lengthen the wait before the next fetch. */
export interface PublisherHints {
  ttlMinutes: number | null;
  /** Cache lifetime the server declared (max-age or Expires). */
  freshnessMs: number | null;
}

/**
 * The wait before the next fetch of a healthy feed: its adaptive interval, lengthened to honour the feed's
 * <ttl> and the server's cache lifetime (up to 24 h), plus up to 25 % jitter (`random` in [0, 1)) so that
 * feeds added together drift apart.
 */
export function nextInterval(adaptive: number, hints: PublisherHints, random: number): number {
  const hint = Math.max(hints.ttlMinutes ? hints.ttlMinutes * MINUTE : 0, hints.freshnessMs ?? 0);
  const interval = Math.max(adaptive, Math.min(hint, SCHEDULE_RULES.maxHint));
  return Math.round(interval * (1 + SCHEDULE_RULES.jitter * random));
}

/**
 * The wait after a failed attempt: Retry-After for 429/503 (capped at 8 h; 1-2 h when absent), else one
 * hour per consecutive error up to 4 h. Never shorter than the feed's minimum interval.
 */
export function backoffInterval(status: number | null, retryAfter: number | null, errorCount: number, minInterval: number, random: number): number {
  if (status === 429 || status === 503) {
    const rules = SCHEDULE_RULES;
    const wait = retryAfter ?? rules.retryAfterDefaultMin + random * (rules.retryAfterDefaultMax - rules.retryAfterDefaultMin);
    return Math.max(minInterval, Math.min(wait, rules.retryAfterMax));
  }
  return Math.max(minInterval, Math.min(SCHEDULE_RULES.errorBackoffStep * Math.max(1, errorCount), SCHEDULE_RULES.errorBackoffMax));
}
