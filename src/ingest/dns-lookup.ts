import { lookup as systemLookup, promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/** Resolves a host name to every address it has. */
export type ResolveHost = (hostname: string, signal?: AbortSignal) => Promise<LookupAddress[]>;

const FALL_BACK = new Set(['ENOTFOUND', 'ENODATA', 'ECONNREFUSED', 'ENOTIMP', 'EREFUSED', 'EBADRESP']);

function systemResolve(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => systemLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

/**
 * Resolves feed hosts with c-ares (the event loop, 2 s per try, cancelled when the fetch is aborted) rather
 * than getaddrinfo in libuv's thread pool: process.exit() waits for pending getaddrinfo calls, so an
 * unreachable DNS server would hold a shutdown for glibc's full timeout. Names DNS does not know
 * (/etc/hosts, mDNS) still go to the system resolver, which answers those at once.
 */
export function createHostResolver(options: { timeoutMs?: number; servers?: string[] } = {}): ResolveHost {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return async (hostname, signal) => {
    const host = hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    if (family) return [{ address: host, family }];
    if (host === 'localhost' || host.endsWith('.localhost')) return systemResolve(host);
    const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 2 });
    if (options.servers) resolver.setServers(options.servers);
    const cancel = () => resolver.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      const found: LookupAddress[] = [
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
      ];
      if (found.length > 0) return found;
      const error = (v4.status === 'rejected' ? v4.reason : (v6 as PromiseRejectedResult).reason) as NodeJS.ErrnoException;
      if (signal?.aborted) throw error;
      if (error.code && FALL_BACK.has(error.code)) return systemResolve(host);
      throw Object.assign(new Error(`DNS lookup of ${host} failed (${error.code ?? error.message})`), { code: error.code === 'ETIMEOUT' ? 'EAI_AGAIN' : error.code });
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  };
}

/** Adapts a resolver to the `lookup` option of http.request, keeping only addresses `accept` allows. */
export function lookupWith(resolve: ResolveHost, signal: AbortSignal, accept?: (address: LookupAddress) => boolean, rejection?: () => Error): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    resolve(hostname, signal).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 || options.family === 'IPv4' || options.family === 'IPv6' ? addresses.filter((a) => a.family === (options.family === 'IPv4' || options.family === 4 ? 4 : 6)) : addresses;
        const allowed = accept ? wanted.filter(accept) : wanted;
        if (allowed.length === 0) {
          callback(rejection?.() ?? Object.assign(new Error(`no usable address for ${hostname}`), { code: 'ENOTFOUND' }));
        } else if (options.all) {
          callback(null, allowed);
        } else {
          callback(null, allowed[0]!.address, allowed[0]!.family);
        }
      },
      (err: unknown) => callback(err),
    );
  }) as LookupFunction;
}
