import { BadRequestError } from './http-errors.js';

/** The output formats of topic feeds, by file extension. */
export const FEED_FORMATS = ['rss', 'atom', 'json'] as const;
/** One of rss, atom, json. */
export type FeedFormatName = (typeof FEED_FORMATS)[number];

/** Listing parameters shared by topic feeds, pages and the API, validated. */
export interface ListQuery {
  limit: number;
  minSources: number | null;
  since: number | null;
  /** FTS5 query built from the user's words, each quoted. */
  match: string | null;
  /** The user's search words as given (for pages). */
  q: string | null;
  source: string | null;
  exclude: string[];
}

/** Limits of listing parameters. */
export const LIST_LIMITS = { defaultLimit: 50, maxLimit: 500, maxQueryLength: 200, maxTerms: 12 };

const MAX_PARAM_LENGTH = 500;

function single(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  if (values.length === 0) return null;
  if (values.length > 1) throw new BadRequestError(`${name} is given more than once`);
  const value = values[0]!;
  if (value.length > MAX_PARAM_LENGTH) throw new BadRequestError(`${name} is too long (at most ${MAX_PARAM_LENGTH} characters)`);
  return value;
}

function positiveInt(params: URLSearchParams, name: string, max: number): number | null {
  const raw = single(params, name);
  if (raw === null || raw === '') return null;
  if (!/^\d{1,9}$/.test(raw.trim()) || Number(raw) < 1) throw new BadRequestError(`${name} must be a positive whole number, not "${raw.slice(0, 40)}"`);
  return Math.min(Number(raw), max);
}

/**
 * Builds an FTS5 query from free text: every word is quoted, so FTS syntax (AND, NEAR, *, quotes, colons)
 * typed by a user is matched as text and can never turn into a syntax error.
 */
export function ftsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  const unique = [...new Set(words.map((w) => w.toLowerCase()))].slice(0, LIST_LIMITS.maxTerms);
  return unique.length ? unique.map((w) => `"${w}"`).join(' ') : null;
}

/** Validates limit, min_sources, since, q, source and exclude; throws BadRequestError naming the parameter. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const limit = positiveInt(params, 'limit', LIST_LIMITS.maxLimit) ?? LIST_LIMITS.defaultLimit;
  const minSources = positiveInt(params, 'min_sources', 1_000);
  const sinceRaw = single(params, 'since');
  let since: number | null = null;
  if (sinceRaw) {
    if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(sinceRaw.trim())) {
      throw new BadRequestError(`since must be an ISO 8601 date such as 2022-02-15 or 2022-02-15T10:00:00Z`);
    }
    since = Date.parse(sinceRaw.trim());
    if (!Number.isFinite(since)) throw new BadRequestError(`since is not a valid date: "${sinceRaw.slice(0, 40)}"`);
  }
  const q = single(params, 'q')?.trim() || null;
  if (q && q.length > LIST_LIMITS.maxQueryLength) throw new BadRequestError(`q is too long (at most ${LIST_LIMITS.maxQueryLength} characters)`);
  const match = q ? ftsQuery(q) : null;
  if (q && !match) throw new BadRequestError('q has no words to search for');
  const source = single(params, 'source')?.trim() || null;
  const exclude = (single(params, 'exclude') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  return { limit, minSources, since, match, q, source, exclude };
}
