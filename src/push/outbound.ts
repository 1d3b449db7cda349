import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress, type AddressClassifier } from '../ingest/address-policy.js';
import { createHostResolver, lookupWith, type ResolveHost } from '../ingest/dns-lookup.js';

/** One request to a subscriber's callback or an alert's webhook. */
export interface OutboundRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  /** Bytes of the response body kept; the rest is read and dropped (a subscriber may answer with anything). */
  maxResponseBytes: number;
  /** Loopback, private and link-local addresses are refused unless true. */
  allowPrivate: boolean;
}

/** How a request ended; never throws. */
export type OutboundResult = { ok: true; status: number; body: string } | { ok: false; status: number | null; error: string };

/** The callback URL cannot be used at all: not http(s), credentials, a private address when those are refused. */
export class CallbackUrlError extends Error {
  override name = 'CallbackUrlError';
}

/** Options tests set: which addresses count as private, how names resolve. */
interface OutboundOptions {
  classifyAddress?: AddressClassifier;
  resolveHost?: ResolveHost;
  userAgent: string;
}

/**
 * Checks what can be checked of a callback URL without the network: http(s), no user info, and no private IP
 * literal when those are refused. Returns the URL parsed. Names are checked again at connect time.
 */
export function checkCallbackUrl(raw: string, allowPrivate: boolean, classify: AddressClassifier = isPrivateAddress): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackUrlError('is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CallbackUrlError('must be an http:// or https:// URL');
  if (url.username || url.password) throw new CallbackUrlError('must not carry a user name or password');
  if (raw.length > 2_000) throw new CallbackUrlError('is longer than 2,000 characters');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && classify(host)))) {
    throw new CallbackUrlError(`points to a loopback, private or link-local address (${url.host}), which this hub refuses`);
  }
  return url;
}

/**
 * Makes requests to untrusted URLs: no redirects followed, a total timeout, a bounded response, and every
 * address checked when the socket connects (so a name that resolves to a private address, or re-resolves to
 * one later, is refused as well).
 */
export function createOutbound(options: OutboundOptions): { send(request: OutboundRequest): Promise<OutboundResult>; close(): void } {
  const classify = options.classifyAddress ?? isPrivateAddress;
  const resolve = options.resolveHost ?? createHostResolver();
  // One pool per address policy: a kept-alive socket is checked only when it connects, so a socket opened for
  // a request that may reach a private address (an operator's alert) must never carry a callback's request.
  const pool = () => ({ http: new http.Agent({ keepAlive: true, maxSockets: 4 }), https: new https.Agent({ keepAlive: true, maxSockets: 4 }) });
  const pools = { private: pool(), public: pool() };
  const send = (request: OutboundRequest): Promise<OutboundResult> =>
    new Promise((done) => {
      let url: URL;
      try {
        url = checkCallbackUrl(request.url, request.allowPrivate, classify);
      } catch (err) {
        done({ ok: false, status: null, error: (err as Error).message });
        return;
      }
      const controller = new AbortController();
      let settled = false;
      const finish = (result: OutboundResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done(result);
      };
      const timer = setTimeout(() => {
        controller.abort();
        finish({ ok: false, status: null, error: `timed out after ${request.timeoutMs / 1000} s` });
      }, request.timeoutMs);
      const accept = request.allowPrivate ? undefined : (a: { address: string }) => !classify(a.address);
      const lookup = lookupWith(resolve, controller.signal, accept, () => Object.assign(new Error(`${url.hostname} resolves only to private addresses, which this hub refuses`), { code: 'EPRIVATEADDRESS' }));
      const module = url.protocol === 'https:' ? https : http;
      const req = module.request(
        url,
        {
          method: request.method,
          headers: { 'User-Agent': options.userAgent, ...(request.body ? { 'Content-Length': String(request.body.length) } : {}), ...request.headers },
          agent: pools[request.allowPrivate ? 'private' : 'public'][url.protocol === 'https:' ? 'https' : 'http'],
          lookup,
          signal: controller.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          const complete = () => {
            const status = res.statusCode ?? 0;
            const body = Buffer.concat(chunks).toString('utf8');
            finish(status >= 200 && status < 300 ? { ok: true, status, body } : { ok: false, status, error: `answered HTTP ${status}` });
          };
          res.on('data', (chunk: Buffer) => {
            const part = chunk.subarray(0, request.maxResponseBytes - kept);
            chunks.push(part);
            kept += part.length;
            // Enough of an answer: the rest is not waited for (an endless body would hold a delivery slot).
            if (kept >= request.maxResponseBytes) {
              complete();
              res.destroy();
            }
          });
          res.on('error', (err) => finish({ ok: false, status: res.statusCode ?? null, error: err.message }));
          res.on('end', complete);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, status: null, error: err.code === 'EPRIVATEADDRESS' ? err.message : `${err.code ?? 'error'}: ${err.message}`.slice(0, 300) }));
      req.end(request.body);
    });
  return {
    send,
    close() {
      for (const agents of Object.values(pools)) {
        agents.http.destroy();
        agents.https.destroy();
      }
    },
  };
}
