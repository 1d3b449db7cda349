import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** Content codings newsmerge sends, best first. */
export type Coding = 'br' | 'gzip' | 'identity';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** A rendered response kept in memory with its validators and compressed forms. */
export interface CachedFeed {
  /** Identifies the content the body was rendered from; unchanged content means an unchanged body. */
  contentKey: string;
  /** Strong validator for the identity body; compressed forms append "-br" / "-gz". */
  etag: string;
  lastModified: string;
  contentType: string;
  cacheControl: string;
  /** The Link header (hub and self, for WebSub discovery); absent when the hub is off. */
  links?: string;
  bodies: Partial<Record<Coding, Buffer>>;
  /** Data version of the database when the content key was last checked. */
  checkedAt: string;
  /** When (performance.now()) the content key was last checked against the database. */
  verifiedAt: number;
  /** Response headers, made once per coding (for 200 and for 304) on first use. */
  headers?: Partial<Record<Coding | NotModifiedKey, Record<string, string>>>;
}

/**
 * Codings chosen for Accept-Encoding values seen lately. Clients send a handful of distinct values, and a
 * 304 is answered in about a microsecond: parsing the header each time showed in its throughput.
 */
const recentCodings = new Map<string, Coding>();

type NotModifiedKey = '304-br' | '304-gzip' | '304-identity';
const NOT_MODIFIED_KEY: Record<Coding, NotModifiedKey> = { br: '304-br', gzip: '304-gzip', identity: '304-identity' };

/** Picks the best coding the client accepts (br, then gzip), honouring q=0. */
export function negotiateCoding(acceptEncoding: string | undefined): Coding {
  if (!acceptEncoding) return 'identity';
  let coding = recentCodings.get(acceptEncoding);
  if (coding === undefined) {
    if (recentCodings.size >= 256) recentCodings.clear();
    coding = parseAcceptEncoding(acceptEncoding);
    recentCodings.set(acceptEncoding, coding);
  }
  return coding;
}

function parseAcceptEncoding(acceptEncoding: string): Coding {
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)).find(Boolean);
    accepted.set(name!.trim(), q ? Number(q[1]) : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip') || ok('x-gzip')) return 'gzip';
  return 'identity';
}

/** The ETag of one coding of a cached feed. */
export function etagFor(entry: Pick<CachedFeed, 'etag'>, coding: Coding): string {
  return coding === 'identity' ? `"${entry.etag}"` : `"${entry.etag}-${coding === 'gzip' ? 'gz' : 'br'}"`;
}

/**
 * True when If-None-Match names this entry in the coding the response would use (or is "*"), compared
 * weakly (RFC 9110 13.1.2). A client holding another coding's body gets a 200: a 304 would carry a tag it
 * has not stored.
 */
export function matchesEtag(ifNoneMatch: string | undefined, entry: Pick<CachedFeed, 'etag'>, coding: Coding): boolean {
  if (!ifNoneMatch) return false;
  const wanted = etagFor(entry, coding);
  if (ifNoneMatch === wanted) return true;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === wanted;
  });
}

/** The request headers that decide a 304. */
export interface Conditionals {
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
}

/** True when the client already has this content: If-None-Match decides when present, else If-Modified-Since. */
export function isFresh(conditionals: Conditionals, entry: Pick<CachedFeed, 'etag' | 'lastModified'>, coding: Coding): boolean {
  if (conditionals.ifNoneMatch !== undefined) return matchesEtag(conditionals.ifNoneMatch, entry, coding);
  const since = Date.parse(conditionals.ifModifiedSince ?? '');
  return Number.isFinite(since) && Date.parse(entry.lastModified) <= since;
}

/**
 * Headers of a 304 for an entry. Its ETag is the one a 200 in the same coding would carry (RFC 9110
 * 15.4.5): a client that stored the gzip tag must not be handed the identity one, or it flips between them.
 */
export function notModifiedHeaders(entry: Pick<CachedFeed, 'etag' | 'lastModified' | 'cacheControl'> & { headers?: CachedFeed['headers']; links?: string }, coding: Coding): Record<string, string> {
  const made = entry.headers?.[NOT_MODIFIED_KEY[coding]];
  if (made) return made;
  const headers: Record<string, string> = { ETag: etagFor(entry, coding), 'Last-Modified': entry.lastModified, 'Cache-Control': entry.cacheControl, Vary: 'Accept-Encoding' };
  if (entry.links) headers.Link = entry.links;
  (entry.headers ??= {})[NOT_MODIFIED_KEY[coding]] = headers;
  return headers;
}

/** Headers of a 200 for one coding of an entry (whose body in that coding exists). */
export function okHeaders(entry: CachedFeed, coding: Coding): Record<string, string> {
  const made = entry.headers?.[coding];
  if (made) return made;
  const headers: Record<string, string> = {
    'Content-Type': entry.contentType,
    'Content-Length': String(entry.bodies[coding]!.length),
    ETag: etagFor(entry, coding),
    'Last-Modified': entry.lastModified,
    'Cache-Control': entry.cacheControl,
    Vary: 'Accept-Encoding',
  };
  if (coding !== 'identity') headers['Content-Encoding'] = coding;
  if (entry.links) headers.Link = entry.links;
  (entry.headers ??= {})[coding] = headers;
  return headers;
}

/** Hashes a content key into a short strong validator. */
export function validatorOf(contentKey: string): string {
  return createHash('sha256').update(contentKey).digest('base64url').slice(0, 27);
}

/**
 * Rendered feeds in memory, least recently used evicted past a byte budget. Compressed forms are made once
 * per coding and change, so a busy topic costs one render and one compression per change.
 */
export class FeedCache {
  private readonly entries = new Map<string, CachedFeed>();
  /** Request URLs (path and query as sent) already resolved to a cache key, for the fast path. */
  private readonly requests = new Map<string, string>();
  /** Keys being re-checked in the background. */
  private readonly refreshing = new Set<string>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /** The entry for a request key, marking it recently used. */
  get(key: string): CachedFeed | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** The entry for a key without touching its recency (the fast path reads this on every request). */
  peek(key: string): CachedFeed | undefined {
    return this.entries.get(key);
  }

  /** Remembers that a request URL resolves to a cache key. */
  rememberRequest(url: string, key: string): void {
    if (this.requests.size >= 10_000) this.requests.clear();
    this.requests.set(url, key);
  }

  /** The cache key a request URL resolved to before, if any. */
  keyForRequest(url: string): string | undefined {
    return this.requests.get(url);
  }

  /** Stores (or replaces) an entry and evicts the least recently used past the budget. */
  set(key: string, entry: CachedFeed): void {
    this.delete(key);
    this.entries.set(key, entry);
    this.bytes += size(entry);
    for (const [oldKey] of this.entries) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) break;
      this.delete(oldKey);
    }
  }

  /** The body of an entry in a coding, compressing it on first use. */
  async body(key: string, entry: CachedFeed, coding: Coding): Promise<Buffer> {
    const existing = entry.bodies[coding];
    if (existing) return existing;
    const identity = entry.bodies.identity!;
    const compressed =
      coding === 'br'
        ? await brotli(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 7, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } })
        : await gzip(identity, { level: 6 });
    entry.bodies[coding] = compressed;
    if (this.entries.get(key) === entry) this.bytes += compressed.length;
    return compressed;
  }

  /** Claims the background re-check of a key; false while one is already under way. */
  claimRefresh(key: string): boolean {
    if (this.refreshing.has(key)) return false;
    this.refreshing.add(key);
    return true;
  }

  /** Ends a re-check claimed with claimRefresh(). */
  releaseRefresh(key: string): void {
    this.refreshing.delete(key);
  }

  /** Makes every entry be checked against the database on its next request (a poll someone waits on has finished). */
  expireAll(): void {
    for (const entry of this.entries.values()) entry.verifiedAt = -Infinity;
  }

  /** Drops everything (after a config reload). */
  clear(): void {
    this.entries.clear();
    this.requests.clear();
    this.bytes = 0;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= size(entry);
    this.entries.delete(key);
  }
}

function size(entry: CachedFeed): number {
  return Object.values(entry.bodies).reduce((sum, b) => sum + (b?.length ?? 0), 0);
}
