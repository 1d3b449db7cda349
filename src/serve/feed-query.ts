import { spellingVariants } from '../dedup/spelling.js';
import { parseCoverageParams } from './coverage-params.js';
import type { CoverageQuery } from './coverage.js';
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
  /** Where the page starts (nextCursor of the page before), as given; checked by storyPage. */
  cursor: string | null;
  /** Who covers it: lean, blindspot, country, language, min_countries (coverage-params.ts). */
  coverage: CoverageQuery;
}

/**
 * One rule per parameter, the same on topic feeds, pages and the API (the README's parameter table says
 * the same). Every parameter may appear once; an empty value is the same as leaving it out (an empty
 * search box); parameters not listed here are ignored, since readers and trackers add their own.
 */
export const LIST_LIMITS = { defaultLimit: 50, maxLimit: 500, maxMinSources: 1_000, maxMinCountries: 250, maxCoverageLength: 200, maxQueryLength: 200, maxTerms: 12, maxSourceLength: 500, maxTagsLength: 500, maxCursorLength: 64 };

/** Options of parseListQuery: whether the route pages through stories with `cursor`. */
interface ListQueryOptions {
  /** Pages and /api/stories take a cursor; feeds have no pages and refuse one. */
  paged: boolean;
}

/** The trimmed value of a parameter given at most once; null when absent or empty. `tooLong` is the message past maxLength. */
function single(params: URLSearchParams, name: string, maxLength: number, tooLong: (length: number) => string): string | null {
  const values = params.getAll(name);
  if (values.length === 0) return null;
  if (values.length > 1) throw new BadRequestError(`${name} is given more than once`);
  const value = values[0]!.trim();
  if (value.length > maxLength) throw new BadRequestError(tooLong(value.length));
  return value === '' ? null : value;
}

/** A value quoted in an error message, shortened: the message must stay readable whatever was sent. */
function echo(value: string): string {
  return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
}

function wholeNumber(params: URLSearchParams, name: string, max: number): number | null {
  const rule = `${name} must be a whole number from 1 to ${max}`;
  const raw = single(params, name, Number.MAX_SAFE_INTEGER, () => rule);
  if (raw === null) return null;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new BadRequestError(`${rule}, not ${echo(raw)}`);
  return Number(raw);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;
const SINCE_RULE = 'since must be an ISO 8601 date or date-time such as 2022-02-15 or 2022-02-15T10:00:00Z';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Reads an ISO 8601 date or date-time; a time without an offset is UTC (Date.parse would take local time).
 * Dates that do not exist (2026-02-30, 24:00) are refused, never rolled over into the next month.
 */
export function parseIsoDate(raw: string): number | null {
  const m = ISO_DATE.exec(raw);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (Number(hh) > 14 || Number(mm) > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
  }
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

/** The distinct words of a search (letters and digits), lowercased, in order. */
function searchWords(text: string): string[] {
  return [...new Set((text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.toLowerCase()))];
}

/**
 * Builds an FTS5 query from free text: every word is quoted, so FTS syntax (AND, NEAR, *, quotes, colons)
 * typed by a user is matched as text and can never turn into a syntax error. A word with British and
 * American spellings becomes an OR of them; the porter tokenizer of items_fts stems each quoted word, so
 * "rates" finds "rate". All words must match.
 */
export function ftsQuery(text: string): string | null {
  const words = searchWords(text).slice(0, LIST_LIMITS.maxTerms);
  const groups = words.map((w) => {
    const variants = spellingVariants(w).map((v) => `"${v}"`);
    return variants.length === 1 ? variants[0]! : `(${variants.join(' OR ')})`;
  });
  return groups.length ? groups.join(' AND ') : null;
}

/** Validates limit, min_sources, since, q, source, exclude, cursor and the coverage parameters; throws BadRequestError naming the parameter. */
export function parseListQuery(params: URLSearchParams, options: ListQueryOptions = { paged: true }): ListQuery {
  const limit = wholeNumber(params, 'limit', LIST_LIMITS.maxLimit) ?? LIST_LIMITS.defaultLimit;
  const minSources = wholeNumber(params, 'min_sources', LIST_LIMITS.maxMinSources);
  const sinceRaw = single(params, 'since', Number.MAX_SAFE_INTEGER, () => SINCE_RULE);
  const since = sinceRaw === null ? null : parseIsoDate(sinceRaw);
  if (sinceRaw !== null && since === null) throw new BadRequestError(`${SINCE_RULE}, on a day that exists, not ${echo(sinceRaw)}`);
  const q = single(params, 'q', LIST_LIMITS.maxQueryLength, (n) => `q takes at most ${LIST_LIMITS.maxQueryLength} characters, not ${n}`);
  if (q !== null) {
    const count = searchWords(q).length;
    if (count === 0) throw new BadRequestError('q has no words to search for: it needs a letter or digit');
    if (count > LIST_LIMITS.maxTerms) throw new BadRequestError(`q has ${count} different words; it takes at most ${LIST_LIMITS.maxTerms}`);
  }
  const match = q === null ? null : ftsQuery(q);
  const source = single(params, 'source', LIST_LIMITS.maxSourceLength, (n) => `source takes at most ${LIST_LIMITS.maxSourceLength} characters, not ${n}`);
  const excludeRaw = single(params, 'exclude', LIST_LIMITS.maxTagsLength, (n) => `exclude takes at most ${LIST_LIMITS.maxTagsLength} characters, not ${n}`);
  const exclude = [...new Set((excludeRaw ?? '').split(',').map((t) => t.trim()).filter(Boolean))];
  const cursor = single(params, 'cursor', LIST_LIMITS.maxCursorLength, () => 'cursor is not a cursor this server handed out');
  if (cursor !== null && !options.paged) throw new BadRequestError('cursor pages through topic pages and /api/stories; feeds have no pages');
  const max = LIST_LIMITS.maxCoverageLength;
  const read = (name: string) => single(params, name, max, (n) => `${name} takes at most ${max} characters, not ${n}`);
  const coverage = parseCoverageParams(read, wholeNumber(params, 'min_countries', LIST_LIMITS.maxMinCountries));
  return { limit, minSources, since, match, q, source, exclude, cursor, coverage };
}

/** Reads `tag` of /api/stories: topic tags joined by "+" or ","; null (every topic) when absent. Unknown tags are a 400. */
export function parseTagParam(params: URLSearchParams, isTopic: (tag: string) => boolean): string[] | null {
  const raw = single(params, 'tag', LIST_LIMITS.maxTagsLength, (n) => `tag takes at most ${LIST_LIMITS.maxTagsLength} characters, not ${n}`);
  if (raw === null) return null;
  const tags = [...new Set(raw.split(/[+,\s]/).filter(Boolean))];
  const unknown = tags.find((t) => !isTopic(t));
  if (unknown !== undefined) throw new BadRequestError(`tag names an unknown topic "${unknown.slice(0, 60)}"`);
  return tags;
}
