import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { isPrivateAddress, isPublicHost, PrivateAddressError, type AddressClassifier } from './address-policy.js';
import { createHostResolver, lookupWith, type ResolveHost } from './dns-lookup.js';

/** One conditional GET of a feed. */
export interface FetchRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
  /** Extra request headers from the config (auth, cookies); dropped when a redirect leaves the origin. */
  headers?: Record<string, string>;
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** What a fetch ended with; a fetch never throws. */
export type FetchOutcome =
  | { kind: 'ok'; status: number; finalUrl: string; permanentRedirect: string | null; headers: IncomingHttpHeaders; body: Buffer }
  | { kind: 'not-modified'; status: 304; finalUrl: string; permanentRedirect: string | null; headers: IncomingHttpHeaders }
  | { kind: 'http-error'; status: number; finalUrl: string; permanentRedirect: string | null; headers: IncomingHttpHeaders }
  | { kind: 'failed'; reason: FetchFailure; message: string };

/** Why a fetch failed before an HTTP status could be used. */
export type FetchFailure = 'timeout' | 'too-large' | 'too-many-redirects' | 'bad-redirect' | 'private-address' | 'network' | 'decode' | 'aborted';

/** Options of the fetcher that tests and the poller set once. */
export interface FetcherOptions {
  /** Which addresses count as private for the redirect rule (tests mark a loopback address as public). */
  classifyAddress?: AddressClassifier;
  resolveHost?: ResolveHost;
}

const ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

/** Fetches feeds over keep-alive connections; close() ends them at shutdown. */
export interface Fetcher {
  fetch(request: FetchRequest): Promise<FetchOutcome>;
  close(): void;
}

interface Agents {
  http: http.Agent;
  https: https.Agent;
  resolve: ResolveHost;
}

class FetchAbort extends Error {
  constructor(readonly reason: FetchFailure, message: string) {
    super(message);
  }
}

/** Creates the HTTP fetcher: conditional GET, redirects, decompression, total timeout and size limit. */
export function createFetcher(options: FetcherOptions = {}): Fetcher {
  const classify = options.classifyAddress ?? isPrivateAddress;
  const agents: Agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 16, timeout: 30_000 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 16, timeout: 30_000 }),
    resolve: options.resolveHost ?? createHostResolver(),
  };
  const close = () => {
    agents.http.destroy();
    agents.https.destroy();
  };
  const fetch = async (request: FetchRequest): Promise<FetchOutcome> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new FetchAbort('timeout', `timed out after ${request.timeoutMs / 1000} s`)), request.timeoutMs);
    const onOuterAbort = () => controller.abort(new FetchAbort('aborted', 'fetch aborted (shutting down)'));
    request.signal?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      const outcome = await followRedirects(request, controller.signal, classify, agents);
      // A body without length or chunking simply ends when the socket is destroyed: an aborted one is no feed.
      if (controller.signal.reason instanceof FetchAbort) return { kind: 'failed', reason: controller.signal.reason.reason, message: controller.signal.reason.message };
      return outcome;
    } catch (err) {
      const abort = controller.signal.reason instanceof FetchAbort ? controller.signal.reason : err instanceof FetchAbort ? err : null;
      if (abort) return { kind: 'failed', reason: abort.reason, message: abort.message };
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EPRIVATEADDRESS') return { kind: 'failed', reason: 'private-address', message: e.message };
      return { kind: 'failed', reason: 'network', message: describeNetworkError(e) };
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onOuterAbort);
    }
  };
  return { fetch, close };
}

async function followRedirects(request: FetchRequest, signal: AbortSignal, classify: AddressClassifier, agents: Agents): Promise<FetchOutcome> {
  const maxRedirects = request.maxRedirects ?? 5;
  let url = new URL(request.url);
  let allPermanent = true;
  let redirected = false;
  let publicOnly = false;
  const origin = url.origin;
  for (let hop = 0; ; hop++) {
    const sameOrigin = url.origin === origin;
    const response = await get(url, request, { sameOrigin, publicOnly: publicOnly ? classify : null, signal, agents });
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && status !== 304 && location) {
      response.resume();
      if (hop >= maxRedirects) throw new FetchAbort('too-many-redirects', `more than ${maxRedirects} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new FetchAbort('bad-redirect', `redirect to an invalid URL: ${location.slice(0, 200)}`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new FetchAbort('bad-redirect', `redirect to a non-http URL: ${next.protocol}`);
      }
      if (hop === 0) publicOnly = await isPublicHost(url.hostname, classify, agents.resolve);
      if (publicOnly && isIP(next.hostname.replace(/^\[|\]$/g, '')) && classify(next.hostname.replace(/^\[|\]$/g, ''))) {
        throw new FetchAbort('private-address', `redirect from a public address to a private one (${next.host}) refused`);
      }
      allPermanent &&= status === 301 || status === 308;
      redirected = true;
      url = next;
      continue;
    }
    const permanentRedirect = redirected && allPermanent ? url.href : null;
    const base = { finalUrl: url.href, permanentRedirect, headers: response.headers };
    if (status === 304) {
      response.resume();
      return { kind: 'not-modified', status: 304, ...base };
    }
    if (status < 200 || status >= 300) {
      response.resume();
      return { kind: 'http-error', status, ...base };
    }
    const body = await readBody(response, request.maxBytes);
    return { kind: 'ok', status, ...base, body };
  }
}

interface HopOptions {
  sameOrigin: boolean;
  publicOnly: AddressClassifier | null;
  signal: AbortSignal;
  agents: Agents;
}

function get(url: URL, request: FetchRequest, { sameOrigin, publicOnly, signal, agents }: HopOptions): Promise<IncomingMessage> {
  const headers: Record<string, string> = {
    'user-agent': request.userAgent,
    accept: ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase();
    if (!sameOrigin && (lower === 'authorization' || lower === 'cookie')) continue;
    headers[lower] = value;
  }
  if (url.username || url.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  if (request.etag) headers['if-none-match'] = request.etag;
  if (request.lastModified) headers['if-modified-since'] = request.lastModified;
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method: 'GET',
        headers,
        // A pooled socket would skip the lookup that enforces the public-only rule.
        agent: publicOnly ? false : secure ? agents.https : agents.http,
        signal,
        lookup: publicOnly
          ? lookupWith(agents.resolve, signal, (a) => !publicOnly(a.address), () => new PrivateAddressError(`${url.hostname} resolves to a private address; refused after a redirect from a public address`))
          : lookupWith(agents.resolve, signal),
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

const inflaters = {
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  deflateRaw: promisify(zlib.inflateRaw),
  br: promisify(zlib.brotliDecompress),
};

/** Reads the body, stopping past `maxBytes`; the limit counts decompressed bytes too (zip bombs stop there). */
async function readBody(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new FetchAbort('too-large', `body of ${declared} bytes is over the limit of ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw new FetchAbort('too-large', `body is over the limit of ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks, size);
  const options = { maxOutputLength: maxBytes };
  try {
    switch (encoding) {
      case 'gzip':
      case 'x-gzip':
        return await inflaters.gzip(raw, options);
      case 'deflate':
        // Servers send both zlib-wrapped and raw deflate under this name; a zlib header's low nibble is 8.
        return raw.length && (raw[0]! & 0x0f) === 8 ? await inflaters.deflate(raw, options) : await inflaters.deflateRaw(raw, options);
      case 'br':
        return await inflaters.br(raw, options);
      default:
        return raw;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FetchAbort('too-large', `body is over the limit of ${maxBytes} bytes (decompressed)`);
    }
    throw new FetchAbort('decode', `cannot decompress the ${encoding} body: ${(err as Error).message}`);
  }
}

function describeNetworkError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${e.code})`;
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate error (${e.code})`;
    default:
      return e.code ? `${e.message} (${e.code})` : e.message;
  }
}
